"""Forms and query strings (security findings 4, 8, 9, 10): a double submit, odd inputs and hostile uploads get an
answer a person understands and write nothing, on SQLite and PostgreSQL."""

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.books import book_ensure
from ledger.models import Entry, EntryAttachment, Journal, PeriodLock
from ledger.selectors import account_balance
from ledger.services import journal_entry_post_with_scan, journal_entry_reverse
from tests.factories.members import UserFactory
from tests.ledger.conftest import cr, dr, post

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def entry_form(key: str, **extra: Any) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "posted_on": "2026-03-02",
        "journal": "OD",
        "description": "Vente au marché",
        "source_ref": "PJ-1",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "2",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-account_code": "5161",
        "lines-0-debit": "1 234,50",
        "lines-1-account_code": "7121",
        "lines-1-credit": "1.234,50",
        **extra,
    }


@pytest.fixture
def book(coop_a: Any) -> Any:
    return book_ensure(organization=coop_a)


@pytest.mark.django_db
def test_a_double_submit_posts_once_and_keeps_one_scan(client, accountant, book):
    client.force_login(accountant)
    first = client.post("/books/coop-a/entries/new/", entry_form("k-1", attachment=SimpleUploadedFile("a.pdf", PDF)))
    second = client.post("/books/coop-a/entries/new/", entry_form("k-1", attachment=SimpleUploadedFile("a.pdf", PDF)))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    entry = Entry.objects.get(book=book)
    assert entry.idempotency_key == f"form:{accountant.pk}:k-1"
    assert EntryAttachment.objects.filter(entry=entry).count() == 1
    assert account_balance(book=book, code="5161", end=date(2026, 3, 31)) == Decimal("1234.50")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_race_on_postgresql_answers_every_request_like_a_replay(coop_a):
    """20 submits of one form by 4 threads: before, the losers of the race answered 500 (11 of 20)."""
    book = book_ensure(organization=coop_a)
    user = UserFactory(username="race", password="race-pass-12345")
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []

    def submit() -> None:
        browser = Client()
        browser.force_login(user)
        try:
            barrier.wait()
            for _ in range(5):
                response = browser.post("/books/coop-a/entries/new/", entry_form("same-key"))
                answers.append((response.status_code, response.get("Location", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entry = Entry.objects.get(book=book)
    assert sorted(set(answers)) == [(302, f"/books/coop-a/entries/{entry.pk}/")]
    assert len(answers) == 20
    assert account_balance(book=book, code="7121", end=date(2026, 3, 31)) == Decimal("-1234.50")


@pytest.mark.django_db
def test_a_form_cannot_take_a_services_reserved_key(client, accountant, book):
    victim = post(book, date(2026, 3, 1), "v1", dr("5141", "10.00"), cr("1111", "10.00"))
    client.force_login(accountant)
    response = client.post("/books/coop-a/entries/new/", entry_form(f"reversal:{victim.je_id}"))
    assert response.status_code == 302
    assert not Entry.objects.filter(idempotency_key__startswith="reversal:").exists()
    entry = Entry.objects.get(pk=victim.je_id)
    reversal = journal_entry_reverse(entry=entry, reversed_on=date(2026, 3, 5), today=date(2026, 11, 30))
    assert reversal.created  # before, the form's entry held "reversal:<id>" and the reversal was refused


@pytest.mark.django_db
def test_the_service_refuses_a_reserved_key(book):
    with pytest.raises(DomainError) as info:
        journal_entry_post_with_scan(
            book=book, posted_on=date(2026, 3, 1), journal=Journal.MISC, lines=[dr("5141", "1.00"), cr("1111", "1.00")],
            description="x", source_ref="x", idempotency_key="opening:2026-01-01",
        )  # fmt: skip
    assert info.value.code == ErrorCode.RESERVED_KEY


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31)])
def test_entries_before_the_earliest_date_are_refused(book, day):
    with pytest.raises(DomainError) as info:
        post(book, day, "old", dr("5141", "1.00"), cr("1111", "1.00"))
    assert info.value.code == ErrorCode.DATE_TOO_EARLY
    assert info.value.message("fr") == f"La date {day.isoformat()} est antérieure au 2000-01-01 : vérifiez l'année."
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_the_earliest_date_is_a_setting(book, settings):
    settings.GIE_EARLIEST_DATE = "2020-01-01"
    with pytest.raises(DomainError):
        post(book, date(2019, 12, 31), "s1", dr("5141", "1.00"), cr("1111", "1.00"))
    post(book, date(2020, 1, 1), "s2", dr("5141", "1.00"), cr("1111", "1.00"))


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_the_form_refuses_an_absurd_date_and_writes_nothing(client, accountant, book, day):
    client.force_login(accountant)
    response = client.post("/books/coop-a/entries/new/", entry_form("k-d", posted_on=day))
    assert response.status_code == 200
    assert "Date hors des limites : entre le 01/01/2000 et le 31/12/2100." in response.content.decode()
    assert not Entry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [("1e3", "la notation scientifique"), ("NaN", "n&#x27;est pas un montant"), ("1.234", "est ambigu"),
     ("12,345", "est ambigu"), ("1234,567", "deux décimales au plus"), ("1000000000", "dépasse le plus grand")],
)  # fmt: skip
def test_the_form_explains_a_refused_amount(client, accountant, book, amount, message):
    client.force_login(accountant)
    response = client.post("/books/coop-a/entries/new/", entry_form("k-a", **{"lines-0-debit": amount}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("page.html", b"<html><script>alert(1)</script></html>"), ("x.svg", b"<svg onload=alert(1)>"),
     (".htaccess", b"AddType text/html .pdf"), ("fake.pdf", b"<html>not a pdf</html>")],
)  # fmt: skip
def test_a_scan_must_be_a_pdf_jpeg_or_png_by_its_content(client, accountant, book, name, content):
    client.force_login(accountant)
    response = client.post(
        "/books/coop-a/entries/new/", entry_form("k-u", attachment=SimpleUploadedFile(name, content))
    )
    assert response.status_code == 200
    assert "seuls les fichiers PDF, JPEG et PNG sont acceptés" in response.content.decode()
    assert not Entry.objects.exists()
    assert not EntryAttachment.objects.exists()


@pytest.mark.django_db
def test_a_scan_above_the_size_limit_is_refused(client, accountant, book, settings):
    settings.GIE_MAX_SCAN_BYTES = 1024
    client.force_login(accountant)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    response = client.post("/books/coop-a/entries/new/", entry_form("k-b", attachment=big))
    assert "Pièce trop grosse : 0.0 Mo, au plus 0 Mo." in response.content.decode()
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_an_accepted_scan_is_stored_under_our_name(client, accountant, book):
    client.force_login(accountant)
    client.post("/books/coop-a/entries/new/", entry_form("k-p", attachment=SimpleUploadedFile("photo<1>.html", PNG)))
    attachment = EntryAttachment.objects.get()
    name = attachment.file.name or ""
    assert name.endswith(".png")
    assert "scan-" in name
    assert "html" not in name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["?start=0001-01-01", "?start=0001-01-01&end=0001-01-02", "?end=9999-12-31", "?start=abc", "?start=2026-13-45"],
)
@pytest.mark.parametrize("page", ["trial-balance", "cpc", "bilan", "entries", "ledger/5141"])
def test_report_dates_out_of_range_do_not_answer_500(client, accountant, book, page, query):
    client.force_login(accountant)
    response = client.get(f"/books/coop-a/{page}/{query}")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["5141%0A", "5141%0D%0ASet-Cookie:x=1", "9999", "%3Cb%3E"])
def test_a_general_ledger_account_outside_the_chart_is_404(client, accountant, book, code):
    client.force_login(accountant)
    assert client.get(f"/books/coop-a/ledger/{code}/").status_code == 404
    assert client.get(f"/books/coop-a/ledger/{code}/?export=csv").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "month"), [("2026", "0"), ("2026", "13"), ("2026", "-3"), ("2026", "abc"),
                                             ("-44", "1"), ("40000", "1"), ("abc", "1"), ("2026", "1e3")])  # fmt: skip
def test_period_inputs_that_answered_500_are_refused_and_lock_nothing(client, accountant, book, year, month):
    client.force_login(accountant)
    response = client.post("/books/coop-a/periods/", {"year": year, "month": month, "action": "lock"})
    assert response.status_code == 302
    assert not PeriodLock.objects.exists()
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["abc", "-44", "40000", "1e3", "9" * 30])
def test_periods_page_with_an_odd_year_answers(client, accountant, book, year):
    client.force_login(accountant)
    assert client.get(f"/books/coop-a/periods/?year={year}").status_code == 200
