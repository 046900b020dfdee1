"""Numbering under concurrency, on PostgreSQL: many validations of one issuer's series at once, each in its own
transaction on its own connection, give each number exactly once, leave no hole when one fails after taking its
number, and post each document exactly once even when validations are replayed at the same time.

The series counter (``DocumentSequence``) is a row updated with ``F() + 1`` in the validation's transaction: the
row lock makes concurrent validations of a series wait for each other until commit or rollback."""

import random
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from django.db import connection

from gie_erp.core.errors import DomainError, ErrorCode
from invoices.models import Document, DocumentSequence
from invoices.services import document_save_draft, document_validate
from ledger.models import Book, Entry, Journal
from ledger.services import period_lock
from ledger.verify import verify_balances
from tests.invoices.conftest import TODAY, balance, line

# transaction=True: each thread's connection must see the drafts committed
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: Any) -> None:
    """An earlier transactional test flushes the tables, data migrations' rows included: put back the VAT rates
    and the posting rules (serialized_rollback would reload content types too, and collide with them)."""
    from django.apps import apps

    for module, function in (
        ("invoices.migrations.0002_vat_rates", "load"),
        ("invoices.migrations.0004_vat_rates_2026", "apply"),
        ("ledger.migrations.0006_posting_rule_defaults", "load"),
    ):
        getattr(import_module(module), function)(apps, None)


THREADS = 16
DAY = date(2026, 10, 5)


def drafts(world: dict[str, Any], count: int, day: date = DAY) -> list[int]:
    """``count`` drafts of the GIE to the hotel, committed (each service call is its own transaction here)."""
    return [
        document_save_draft(
            issuer=world["gie"],
            customer=world["hotel"],
            issued_on=day,
            lines=[line("Accompagnement", "1", f"{100 + n}.00", kind="service"), line("Frais", "2", "12.50")],
        ).pk
        for n in range(count)
    ]


def run_in_threads(
    work: Sequence[Sequence[int]], action: Callable[[int], Any]
) -> tuple[list[Any], list[BaseException]]:
    """One thread per list of document ids, all started together; each thread uses its own connection and closes
    it at the end. Returns what the calls returned and what they raised."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(ids: Sequence[int]) -> None:
        try:
            barrier.wait()
            for document_id in ids:
                try:
                    outcome = action(document_id)
                except Exception as error:  # collected, and asserted on by the test
                    with lock:
                        errors.append(error)
                else:
                    with lock:
                        results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(ids,)) for ids in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def validate(document_id: int) -> Document:
    return document_validate(document_id=document_id, today=TODAY)


def numbers(count: int) -> list[str]:
    return [f"FA-2026-{n:05d}" for n in range(1, count + 1)]


def issuer_entries(world: dict[str, Any]) -> Counter[str]:
    """How many times each document was posted in the GIE's book (key ``invoice:<pk>:issuer``)."""
    keys = Entry.objects.filter(
        book__organization=world["gie"], idempotency_key__startswith="invoice:", idempotency_key__endswith=":issuer"
    ).values_list("idempotency_key", flat=True)
    return Counter(keys)


def test_200_validations_by_16_threads_number_200_documents_without_gap_or_duplicate(world: dict[str, Any]) -> None:
    ids = drafts(world, 200)
    results, errors = run_in_threads([ids[start::THREADS] for start in range(THREADS)], validate)
    assert errors == []
    assert len(results) == 200
    documents = Document.objects.filter(pk__in=ids)
    assert sorted(documents.values_list("number", flat=True)) == numbers(200)
    assert sorted(document.sequence or 0 for document in documents) == list(range(1, 201))
    assert set(documents.values_list("status", flat=True)) == {Document.Status.VALIDATED}
    assert DocumentSequence.objects.get(issuer=world["gie"], kind="invoice", year=2026).last_number == 200
    posted = issuer_entries(world)
    assert posted == Counter({f"invoice:{pk}:issuer": 1 for pk in ids})  # each exactly once
    # the ledger's own journal numbers stayed gapless too, and the books add up
    book = Book.objects.get(organization=world["gie"])
    sales = Entry.objects.filter(book=book, journal=Journal.SALES).values_list("number", flat=True)
    assert sorted(sales) == [f"VT2026-{n:06d}" for n in range(1, 201)]
    gross = sum(documents.values_list("total_gross", flat=True), Decimal("0.00"))
    # n-th: (100 + n) + 25.00 HT, + 20 %: Σ HT = 200 × 125 + (0 + … + 199) = 44,900.00; TTC 53,880.00
    assert gross == Decimal("53880.00")
    assert balance(world["gie"], "3421") == gross
    assert balance(world["gie"], "44551") == Decimal("-8980.00")
    assert verify_balances()[0] == []


def test_validations_refused_after_taking_their_number_leave_no_hole(world: dict[str, Any]) -> None:
    """Five drafts dated in a locked month among 100: each takes the next number, then its posting is refused and
    the number goes back with the rollback, while the other threads wait on the series' row."""
    period_lock(book=Book.objects.get(organization=world["gie"]), year=2026, month=1, acting_user=None)
    good = drafts(world, 100)
    locked = drafts(world, 5, day=date(2026, 1, 20))
    mixed = good[:]
    for position, pk in zip((3, 30, 50, 77, 99), locked, strict=True):
        mixed.insert(position, pk)
    results, errors = run_in_threads([mixed[start::THREADS] for start in range(THREADS)], validate)
    assert len(results) == 100
    assert [error.code for error in errors if isinstance(error, DomainError)] == [ErrorCode.PERIOD_LOCKED] * 5
    assert len(errors) == 5
    assert sorted(Document.objects.filter(pk__in=good).values_list("number", flat=True)) == numbers(100)
    refused = Document.objects.filter(pk__in=locked)
    assert set(refused.values_list("status", "number")) == {(Document.Status.DRAFT, "")}
    assert DocumentSequence.objects.get(issuer=world["gie"], kind="invoice", year=2026).last_number == 100
    assert issuer_entries(world) == Counter({f"invoice:{pk}:issuer": 1 for pk in good})


def test_replayed_validations_at_the_same_time_post_each_document_once(world: dict[str, Any]) -> None:
    """16 threads each validate the same 30 drafts, each in its own order: the first to lock a draft numbers and
    posts it, the others find it validated and return it."""
    ids = drafts(world, 30)
    orders = [random.Random(thread).sample(ids, len(ids)) for thread in range(THREADS)]
    results, errors = run_in_threads(orders, validate)
    assert errors == []
    assert len(results) == 30 * THREADS
    by_document = {(document.pk, document.number) for document in results}
    assert len(by_document) == 30  # every thread saw the same number for a document
    assert sorted(number for _pk, number in by_document) == numbers(30)
    assert issuer_entries(world) == Counter({f"invoice:{pk}:issuer": 1 for pk in ids})
    assert DocumentSequence.objects.get(issuer=world["gie"], kind="invoice", year=2026).last_number == 30
    assert verify_balances()[0] == []
