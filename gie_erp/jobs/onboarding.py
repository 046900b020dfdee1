"""Joining the GIE: a member cooperative is created with its books, in one transaction."""

from typing import Any

from gie_erp.core.idempotency import retry_once_on_conflict
from ledger.books import book_ensure
from members.imports import ImportResult, members_rows, members_validate, members_write


def members_import_with_books(*, filename: str, content: bytes, acting_user: Any) -> ImportResult:
    """Import cooperatives (all rows or none) and open each one's books on the pooled chart.

    The sheet is parsed and checked before the write transaction opens (on SQLite that transaction holds the only
    write lock). If a concurrent import or a double submit took a slug or an ICE first, the rows are checked again
    and the report names what is now taken: one import writes, the other writes nothing.
    """
    rows = members_rows(filename=filename, content=content)
    checked = members_validate(rows)

    def run(attempt: int) -> ImportResult:
        report, objects = checked if attempt == 1 else members_validate(rows)
        result = members_write(report=report, objects=objects, acting_user=acting_user)
        for org in objects:
            book_ensure(organization=org)
        return result

    return retry_once_on_conflict(run)
