"""Joining the GIE: a member cooperative is created with its books, in one transaction."""

from typing import Any

from ledger.books import book_ensure
from members.imports import ImportResult, members_import
from members.models import Organization


def _open_books(organizations: list[Organization]) -> None:
    for organization in organizations:
        book_ensure(organization=organization)


def members_import_with_books(*, filename: str, content: bytes, acting_user: Any) -> ImportResult:
    """Import cooperatives (all rows or none, see ``members_import``) and open each one's books on the pooled chart
    in the same transaction."""
    return members_import(filename=filename, content=content, acting_user=acting_user, on_written=_open_books)
