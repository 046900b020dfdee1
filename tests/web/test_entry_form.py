"""The entry form as the accountant meets it (first-day defects, item 1): date, accounts by code or name, messages
without raw keys, accounts searched as typed instead of the whole chart in every page."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ledger.books import book_ensure
from ledger.models import Entry
from ledger.selectors import account_balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(coop_a: Any) -> Any:
    return book_ensure(organization=coop_a)


def entry(**lines: str) -> dict[str, str]:
    return {
        "idempotency_key": "t-1",
        "posted_on": "2026-03-02",
        "journal": "CA",
        "description": "Vente",
        "source_ref": "TK-1",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-debit": "250,00",
        "lines-1-credit": "250,00",
        **lines,
    }


def test_the_date_is_prefilled_with_today_in_iso_in_french(client, accountant, book):
    client.force_login(accountant)
    page = client.get("/books/coop-a/entries/new/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'name="posted_on" value="{timezone.localdate().isoformat()}"' in page


def test_an_unknown_account_is_named_on_its_line_without_raw_keys(client, accountant, book):
    client.force_login(accountant)
    page = client.post(
        "/books/coop-a/entries/new/", entry(**{"lines-0-account_code": "9999", "lines-1-account_code": "7121"})
    ).content.decode()
    assert page.count("Compte 9999 inconnu du plan comptable.") == 1
    shown = re.sub(r"<[^>]+>", " ", page.split("<template", 1)[0])  # the text a person sees, not the tags
    assert "account_code" not in shown
    assert "__all__" not in shown
    assert "Choisissez un compte" not in page  # the second, duplicated message of before
    assert not Entry.objects.exists()


def test_an_account_typed_by_its_name_or_as_picked_is_accepted(client, accountant, book):
    client.force_login(accountant)
    response = client.post(
        "/books/coop-a/entries/new/",
        entry(**{"lines-0-account_code": "caisses", "lines-1-account_code": "7121 Ventes de biens produits au Maroc"}),
    )
    assert response.status_code == 302
    assert account_balance(book=book, code="5161", end=date(2026, 3, 31)) == Decimal("250.00")
    assert account_balance(book=book, code="7121", end=date(2026, 3, 31)) == Decimal("-250.00")


def test_a_name_several_accounts_match_lists_them(client, accountant, book):
    client.force_login(accountant)
    page = client.post(
        "/books/coop-a/entries/new/", entry(**{"lines-0-account_code": "banques", "lines-1-account_code": "7121"})
    ).content.decode()
    assert "Plusieurs comptes correspondent à « banques » : 5141 Banques (solde débiteurs), 5541 Banques" in page


def test_the_form_no_longer_carries_the_whole_chart(client, accountant, book):
    client.force_login(accountant)
    page = client.get("/books/coop-a/entries/new/").content.decode()
    assert page.count("<option value=") < 100  # the 62 KB datalist had every account of the chart (~700)
    assert len(page.encode()) < 30_000


def test_accounts_are_searched_by_code_or_name_in_the_page_language(client, accountant, book):
    client.force_login(accountant)
    found = client.get("/books/accounts/search/?q=banq").content.decode()
    assert '<option value="5141">5141 Banques (solde débiteurs)</option>' in found
    assert '<option value="5541">' in found
    assert "5161" not in found
    arabic = client.get("/books/accounts/search/?q=5161", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert arabic.startswith('<option value="5161">5161 الصندوق</option><option value="51611">51611 الصندوق المركزي')


def test_account_search_is_for_staff_only(client, rep_a):
    client.force_login(rep_a)
    assert client.get("/books/accounts/search/?q=5").status_code == 403
