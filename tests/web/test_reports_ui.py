"""Reports as the accountant reads, exports and prints them (first-day defects, item 3)."""

import io
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ledger.books import book_ensure
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(coop_a: Any) -> Any:
    book = book_ensure(organization=coop_a)
    post(book, date(2026, 3, 2), "r1", dr("5141", "5000.00"), cr("1111", "5000.00"))
    post(book, date(2026, 3, 9), "r2", dr("5161", "1250.50"), cr("7121", "1250.50"))
    return book


def test_the_date_fields_show_the_period_displayed(client, accountant, book):
    client.force_login(accountant)
    page = client.get("/books/coop-a/trial-balance/").content.decode()
    today = timezone.localdate()
    assert f'name="start" value="{today.year}-01-01"' in page
    assert f'name="end" value="{today.isoformat()}"' in page
    page = client.get("/books/coop-a/cpc/?start=2026-03-01&end=2026-03-31").content.decode()
    assert 'name="start" value="2026-03-01"' in page
    assert 'name="end" value="2026-03-31"' in page


def test_a_date_that_cannot_be_used_is_said_and_the_period_shown(client, accountant, book):
    client.force_login(accountant)
    page = client.get("/books/coop-a/trial-balance/?start=0001-01-01&end=2026-03-31").content.decode()
    assert "Date hors des limites" in page
    assert f'name="start" value="{timezone.localdate().year}-01-01"' in page


def test_cpc_sections_carry_their_names(client, accountant, book):
    client.force_login(accountant)
    page = client.get("/books/coop-a/cpc/?start=2026-01-01&end=2026-12-31").content.decode()
    assert "<h3>I · PRODUITS D&#x27;EXPLOITATION</h3>" in page or "<h3>I · Produits d&#x27;exploitation</h3>" in page
    arabic = client.get("/books/coop-a/cpc/?start=2026-01-01&end=2026-12-31", HTTP_ACCEPT_LANGUAGE="ar")
    assert "<h3>I · " in arabic.content.decode()


def test_the_trial_balance_xlsx_has_french_headers_a_named_sheet_and_formats(client, accountant, book):
    client.force_login(accountant)
    response = client.get("/books/coop-a/trial-balance/?start=2026-03-01&end=2026-03-31&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Balance générale"
    assert [c.value for c in sheet[1]] == ["Compte", "Intitulé", "Ouverture débit", "Ouverture crédit", "Débit",
                                           "Crédit", "Solde débiteur", "Solde créditeur"]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H5"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "5161")
    assert (row[4].value, row[4].number_format) == (1250.5, "#,##0.00")
    assert row[1].value == "Caisses"


def test_headers_follow_the_page_language(client, accountant, book):
    client.force_login(accountant)
    response = client.get("/books/coop-a/entries/?export=csv", HTTP_ACCEPT_LANGUAGE="ar")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "Date" not in header  # translated
    assert response["Content-Disposition"] == 'attachment; filename="ecritures-coop-a.csv"'


def test_account_and_organization_names_are_arabic_on_arabic_pages(client, accountant, book):
    client.force_login(accountant)
    entries = client.get("/books/coop-a/entries/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الصندوق" in entries  # 5161 Caisses
    assert "تعاونية ألفا" in entries  # the cooperative's Arabic name in the book's navigation
    ledger = client.get("/books/coop-a/ledger/5161/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الصندوق" in ledger


def test_every_report_prints_whose_books_which_period_and_page_numbers(client, accountant, book):
    client.force_login(accountant)
    page = client.get("/books/coop-a/trial-balance/?start=2026-03-01&end=2026-03-31").content.decode()
    assert "@bottom-right" in page
    assert "counter(pages)" in page
    assert 'content: "Coopérative Alpha · Balance générale"' in page  # repeated in every page's margin
    assert "01/03/2026 – 31/03/2026" in page


def test_an_entry_page_shows_its_history(client, accountant, book):
    from ledger.models import Entry
    from ledger.services import journal_entry_reverse

    entry = Entry.objects.get(book=book, idempotency_key="r2")
    journal_entry_reverse(entry=entry, reversed_on=date(2026, 3, 20), acting_user=accountant, reason="doublon du 9",
                          today=date(2026, 11, 30))  # fmt: skip
    client.force_login(accountant)
    page = client.get(f"/books/coop-a/entries/{entry.pk}/").content.decode()
    assert "Historique" in page
    assert 'data-event="ledger.entry_reversed"' in page
    assert "doublon du 9" in page


def test_member_pages_name_the_cooperative_in_the_page_language(client, accountant, book):
    client.force_login(accountant)
    arabic = client.get("/members/coop-a/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "<h1><bdi>تعاونية ألفا</bdi></h1>" in arabic
    french = client.get("/members/coop-a/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1><bdi>Coopérative Alpha</bdi></h1>" in french
    cooperators = client.get("/members/coop-a/cooperators/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "<bdi>تعاونية ألفا</bdi>" in cooperators
