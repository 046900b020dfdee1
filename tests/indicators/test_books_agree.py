"""The dashboard's money comes from what was posted: a fair's sales read by the indicators equal the books to the
centime (the GIE's 4463 towards the member, and the member's own sales entries)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gie_erp.indicators import selectors
from gie_erp.indicators.selectors import Figure, Filters
from ledger.models import Book
from ledger.selectors import account_balance
from sales.summaries import summarize
from tests.invoices.conftest import world  # noqa: F401 (the fair stands on it)
from tests.sales.books_view import ingest
from tests.sales.conftest import TODAY, fair  # noqa: F401 (fixture)
from tests.sales.test_summaries import oil

pytestmark = pytest.mark.django_db
NOVEMBER = Filters(date(2026, 11, 1), date(2026, 11, 30))


def test_sales_of_a_fair_equal_the_gie_s_books(fair: dict[str, Any]) -> None:  # noqa: F811
    """Olive sells oil at 80.00: cash and card on the 21st, two bottles cash on the 22nd: 320.00, all posted by the
    summary; the GIE owes olive 320.00 on 4463 for November, and the indicators read 320.00 by one cooperative."""
    ingest(fair, [oil(fair, 21, 1), oil(fair, 21, 2, "card"), oil(fair, 22, 3, qty="2")])
    summarize(fair["event"], today=TODAY)
    sales = selectors.sales(NOVEMBER)
    assert sales.total == Figure(Decimal("320.00"), 1)
    assert sales.by_member == {fair["exempt"].pk: Figure(Decimal("320.00"), 1)}
    gie_book = Book.objects.get(organization=fair["gie"])
    owed = account_balance(book=gie_book, code="4463", start=NOVEMBER.start, end=NOVEMBER.end)
    assert -owed == sales.total.amount
