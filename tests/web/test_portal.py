"""The cooperative portal: the month's figures and operations in the reader's language; months out of range are 404."""

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gie_erp.statements import pictograms
from gie_erp.statements.mapping import DEFAULT_MAPPING
from ledger.books import book_ensure
from tests.factories.members import RepresentativeFactory
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
SALES, PURCHASES = DEFAULT_MAPPING.row("sales"), DEFAULT_MAPPING.row("purchases")


@pytest.fixture
def month(coop_a: Any, gie: Any) -> Any:
    """March 2026 of cooperative A: capital, a cash sale, a fair sale held by the GIE, its settlement, a purchase."""
    book = book_ensure(organization=coop_a)
    book_ensure(organization=gie)
    m = lambda day: date(2026, 3, day)  # noqa: E731
    post(book, m(2), "p1", dr("5141", "5000.00"), cr("1111", "5000.00"))
    post(book, m(9), "p2", dr("5161", "1250.50"), cr("7121", "1250.50"))
    post(book, m(15), "p3", dr("3488", "600.00", gie), cr("7121", "600.00"))
    post(book, m(25), "p4", dr("5141", "600.00"), cr("3488", "600.00", gie))
    post(book, m(28), "p5", dr("6121", "3200.00"), cr("5141", "3200.00"))
    return book


@pytest.fixture
def rep(coop_a: Any) -> Any:
    return RepresentativeFactory(username="rep-portal", organization=coop_a, preferred_language="ar")


def _get(client: Any, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("year", [0, 1, 99, 1999, 99999, "next+1"])
def test_a_month_of_an_absurd_year_is_404_and_writes_nothing(client: Any, rep: Any, month: Any, year: Any) -> None:
    if year == "next+1":
        year = timezone.localdate().year + 2
    client.force_login(rep)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/portal/{year}/3/")
    assert response.status_code == 404
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_the_years_around_today_still_answer(client: Any, rep: Any, month: Any) -> None:
    client.force_login(rep)
    assert client.get("/portal/2000/1/").status_code == 200
    assert client.get(f"/portal/{timezone.localdate().year + 1}/12/").status_code == 200
    assert client.get("/portal/2026/13/").status_code == 404


def test_the_months_operations_are_listed_in_arabic_with_the_statements_wording(
    client: Any, rep: Any, month: Any
) -> None:
    client.force_login(rep)
    body = _get(client, "/portal/2026/3/", "ar")
    assert "تفاصيل عمليات الشهر" in body  # wording.DETAIL.ar, as on the printed statement
    assert SALES.label_ar in body  # the statement row of the sale, as printed
    assert PURCHASES.label_ar in body
    assert "تحويل (المجموع لا يتغير)" in body  # the GIE's settlement: a transfer
    assert f'dir="ltr">+{NNBSP}1{NNBSP}250,50<' in body  # the sign stays inside the left-to-right amount
    assert f'dir="ltr">-{NNBSP}3{NNBSP}200,00<' in body
    assert "09/03/2026" in body


def test_the_months_operations_in_french(client: Any, rep: Any, month: Any) -> None:
    client.force_login(rep)
    body = _get(client, "/portal/2026/3/", "fr")
    assert "Détail des opérations du mois" in body
    assert SALES.label_fr in body
    assert PURCHASES.label_fr in body
    assert "Transfert (le total ne change pas)" in body
    assert SALES.label_ar not in body


def test_the_cards_use_the_arrows_of_the_printed_statement(client: Any, rep: Any, month: Any) -> None:
    client.force_login(rep)
    body = _get(client, "/", "ar")
    assert "▲" not in body
    assert "▼" not in body  # the triangles pointed the other way than the pictures
    assert pictograms.SOURCES["arrow-in"] in body  # into the tray: money in
    assert pictograms.SOURCES["arrow-out"] in body  # out of the tray: money out
    money_in = body[body.index('id="money-in"') :]
    assert money_in.index(pictograms.SOURCES["arrow-in"]) < money_in.index('id="money-out"')


def test_the_statement_button_downloads_the_pdf(client: Any, rep: Any, month: Any) -> None:
    client.force_login(rep)
    body = _get(client, "/portal/2026/3/", "fr")
    assert 'href="/statements/coop-a/2026/3.pdf" download="coop-a-2026-03.pdf"' in body
    assert "Imprimer" not in body
    assert "🖨" not in body
