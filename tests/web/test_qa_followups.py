"""Defects found by trying the demo as its users (session 3): each fixed, each kept fixed here."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.core.models import AuditEvent
from ledger.books import book_ensure
from ledger.models import Entry
from ledger.opening import opening_balances_import
from ledger.services import journal_entry_reverse
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db
OPENING = b"book,account_code,debit,credit\ncoop-a,5161,1000.00,\ncoop-a,1111,,1000.00\n"


@pytest.fixture
def book(coop_a: Any) -> Any:
    return book_ensure(organization=coop_a)


def test_a_book_gets_one_opening_another_date_is_refused(book):
    opening_balances_import(filename="o.csv", content=OPENING, opened_on=date(2026, 1, 1), acting_user=None)
    with pytest.raises(ImportRefused) as info:
        opening_balances_import(filename="o.csv", content=OPENING, opened_on=date(2025, 12, 31), acting_user=None)
    (error,) = info.value.report.as_rows()
    assert error["code"] == ErrorCode.OPENING_EXISTS.value
    assert error["fr"] == (
        "coop-a a déjà ses soldes d'ouverture (OD2026-000001 du 01/01/2026) : contre-passez cette écriture avant "
        "d'en importer d'autres."
    )
    other = OPENING.replace(b"1000.00", b"2000.00")
    with pytest.raises(ImportRefused):  # the same date with other lines: not "a key already used", the same refusal
        opening_balances_import(filename="o.csv", content=other, opened_on=date(2026, 1, 1), acting_user=None)
    assert Entry.objects.filter(book=book).count() == 1


def test_the_same_file_again_is_a_replay_and_a_reversed_opening_can_be_replaced(book):
    first = opening_balances_import(filename="o.csv", content=OPENING, opened_on=date(2026, 1, 1), acting_user=None)
    again = opening_balances_import(filename="o.csv", content=OPENING, opened_on=date(2026, 1, 1), acting_user=None)
    assert [r.created for r in again] == [False]
    assert again[0].je_id == first[0].je_id
    journal_entry_reverse(entry=Entry.objects.get(pk=first[0].je_id), reversed_on=date(2026, 1, 1),
                          today=date(2026, 11, 30))  # fmt: skip
    other = OPENING.replace(b"1000.00", b"2000.00")
    (replaced,) = opening_balances_import(filename="o.csv", content=other, opened_on=date(2026, 1, 1), acting_user=None)
    assert replaced.created
    assert Entry.objects.get(pk=replaced.je_id).idempotency_key == "opening:2026-01-01:2"


def test_an_entry_typed_in_the_form_is_audited_and_shown_in_its_history(client, accountant, book):
    client.force_login(accountant)
    response = client.post("/books/coop-a/entries/new/", {
        "idempotency_key": "qa-1", "posted_on": "2026-03-02", "journal": "OD", "description": "Dépôt",
        "source_ref": "PJ", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-0-account_code": "5141", "lines-0-debit": "10", "lines-1-account_code": "5161", "lines-1-credit": "10",
    })  # fmt: skip
    entry = Entry.objects.get(book=book)
    event = AuditEvent.objects.get(event="ledger.entry_posted")
    assert (event.actor, event.target_type, event.target_id) == (accountant, "ledger.entry", str(entry.pk))
    assert event.data == {"number": entry.number, "scan": False}
    page = client.get(response["Location"]).content.decode()
    assert "Écriture saisie" in page


def test_a_form_from_a_stale_page_gets_the_apps_page(accountant):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(accountant)
    response = browser.post("/books/opening-import/", {"opened_on": "2026-01-01"}, HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Page expirée</h1>" in page
    assert "DEBUG" not in page


def test_the_bilans_computed_result_line_is_not_a_dead_link(client, accountant, book):
    post(book, date(2026, 3, 2), "b1", dr("5161", "100.00"), cr("7121", "100.00"))
    client.force_login(accountant)
    page = client.get("/books/coop-a/bilan/?end=2026-03-31").content.decode()
    assert "/books/coop-a/ledger/119/" not in page
    assert "/books/coop-a/ledger/5161/" in page


def test_messages_count_in_the_singular(client, accountant, book):
    import io

    client.force_login(accountant)
    upload = io.BytesIO(OPENING)
    upload.name = "o.csv"
    response = client.post("/books/opening-import/", {"opened_on": "2026-01-01", "file": upload}, follow=True)
    assert "1 écriture d&#x27;ouverture enregistrée." in response.content.decode()
