"""A fees world: the invoicing world's GIE (VAT-registered), coop-olive (exempt, art. 91), coop-miel (registered)
and coop-tapis (exempt), books open, and January 2026 costs in the GIE's book."""

from datetime import date
from typing import Any

import pytest

from gie_erp.fees.models import Pool
from gie_erp.fees.services import pool_source_add
from ledger.books import book_ensure
from ledger.models import Book
from ledger.posting import JournalLine
from tests.invoices.conftest import D, balance, weavers, world  # noqa: F401
from tests.ledger.conftest import cr, dr, post

JAN_1, JAN_31 = date(2026, 1, 1), date(2026, 1, 31)
TODAY = date(2026, 2, 5)


@pytest.fixture
def fees(world: dict[str, Any], accountant: Any) -> dict[str, Any]:  # noqa: F811
    tapis = weavers()
    gie = world["gie"]
    return {**world, "tapis": tapis, "staff": accountant, "book": book_ensure(organization=gie)}


def gie_book(fees: dict[str, Any]) -> Book:
    return fees["book"]


def tagged(line: JournalLine, tag: str) -> JournalLine:
    return JournalLine(line.account_code, line.debit, line.credit, line.partner_id, line.description, tag)


def pool(slug: str, *sources: str, **fields: Any) -> Pool:
    """A pool fed by ``sources`` ("61312" or "61365@training:")."""
    made = Pool.objects.create(slug=slug, name_fr=f"Pool {slug}", name_ar="مصاريف", **fields)
    for source in sources:
        code, _, prefix = source.partition("@")
        pool_source_add(pool=made, account_code=code, tag_prefix=prefix)
    return made


__all__ = ["JAN_1", "JAN_31", "TODAY", "D", "balance", "cr", "dr", "gie_book", "pool", "post", "tagged"]
