"""Any random sequence of valid postings keeps every book balanced and the balance table equal to a recomputation."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gie_erp.core.money import allocate
from ledger.models import Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import trial_balance
from ledger.services import journal_entries_post, journal_entry_reverse
from ledger.verify import verify_balances
from tests.ledger.conftest import TODAY

CODES = ["5141", "5161", "3421", "4411", "6121", "6171", "7121", "4455", "3488"]

entry = st.tuples(
    st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 2, 28)),
    st.integers(min_value=1, max_value=10_000_000),  # centimes
    st.lists(st.sampled_from(CODES), min_size=2, max_size=4, unique=True),
    st.integers(min_value=0, max_value=1),  # which book
    st.booleans(),  # reverse it afterwards
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry, min_size=1, max_size=12))
def test_random_postings_keep_books_balanced_and_verified(book_a: Any, book_b: Any, entries: list[Any]) -> None:
    books = [book_a, book_b]
    drafts: list[EntryDraft] = []
    for number, (day, cents, codes, which, _) in enumerate(entries):
        total = Decimal(cents) / 100
        debit_codes, credit_codes = codes[: len(codes) // 2], codes[len(codes) // 2 :]
        lines = [
            JournalLine(code, debit=share)
            for code, share in allocate(total, dict.fromkeys(debit_codes, Decimal(1))).items()
            if share
        ]
        lines += [
            JournalLine(code, credit=share)
            for code, share in allocate(total, dict.fromkeys(credit_codes, Decimal(1))).items()
            if share
        ]
        key = f"prop-{len(drafts)}-{number}-{day}-{cents}-{'.'.join(codes)}"
        drafts.append(EntryDraft(books[which].pk, day, Journal.MISC, "p", "PROP", key, tuple(lines)))
    refs = journal_entries_post(drafts=drafts, today=TODAY)
    from ledger.models import Entry

    for ref, (day, *_rest, reverse) in zip(refs, entries, strict=True):
        if reverse and ref.created:
            journal_entry_reverse(entry=Entry.objects.get(pk=ref.je_id), reversed_on=day, today=TODAY)
    for book in books:
        rows = trial_balance(book_ids=[book.pk], start=None, end=TODAY)
        assert sum(r.debit for r in rows) == sum(r.credit for r in rows)
    assert verify_balances() == ([], {})
