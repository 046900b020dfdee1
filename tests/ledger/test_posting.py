"""The one posting path: exact, idempotent, tenant-safe, lock-aware."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django_ledger.models import AccountModel, EntityModel

from gie_erp.core.errors import DomainError, ErrorCode, IdempotencyConflict
from ledger.models import Balance, Entry, Journal, PartnerLine
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import account_balance, entry_lines, trial_balance
from ledger.services import journal_entries_post, journal_entry_reverse, period_lock, period_unlock
from tests.factories.members import UserFactory
from tests.ledger.conftest import TODAY, cr, dr, post

pytestmark = pytest.mark.django_db
MARCH_31 = date(2026, 3, 31)


def test_a_replayed_key_posts_nothing(book_a: Any) -> None:
    first = post(book_a, date(2026, 3, 10), "sale-1", dr("5161", "1200.00"), cr("7121", "1200.00"))
    again = post(book_a, date(2026, 3, 10), "sale-1", dr("5161", "1200.00"), cr("7121", "1200.00"))
    assert first.je_id == again.je_id
    assert (first.created, again.created) == (True, False)
    assert Entry.objects.filter(book=book_a).count() == 1
    assert account_balance(book=book_a, code="5161", end=MARCH_31) == Decimal("1200.00")


def test_a_different_content_under_the_same_key_is_refused(book_a: Any) -> None:
    post(book_a, date(2026, 3, 10), "sale-2", dr("5161", "1200.00"), cr("7121", "1200.00"))
    with pytest.raises(IdempotencyConflict):
        post(book_a, date(2026, 3, 10), "sale-2", dr("5161", "1300.00"), cr("7121", "1300.00"))
    assert account_balance(book=book_a, code="5161", end=MARCH_31) == Decimal("1200.00")


def test_the_same_key_in_another_book_is_another_entry(book_a: Any, book_b: Any) -> None:
    post(book_a, date(2026, 3, 10), "k", dr("5161", "10.00"), cr("7121", "10.00"))
    post(book_b, date(2026, 3, 10), "k", dr("5161", "10.00"), cr("7121", "10.00"))
    assert Entry.objects.count() == 2


def test_an_account_of_another_book_is_refused_where_django_ledger_alone_accepts_it(book_a: Any, book_b: Any) -> None:
    # an account that exists only in B's chart (a sub-account B's accountant created)
    b_root = AccountModel.objects.get(coa_model_id=book_b.coa_id, code="3421")
    b_only = b_root.add_sibling(
        instance=AccountModel(code="342199", name="Client spécial B", role=b_root.role, balance_type="debit",
                              active=True, coa_model_id=book_b.coa_id)
    )  # fmt: skip
    # django-ledger alone: an entry on A's ledger with B's accounts is accepted (the tenant leak)
    entity_a = EntityModel.objects.get(uuid=book_a.entity_id)
    ledger_a = entity_a.create_ledger(name="leak", ledger_xid="leak", posted=True)
    b_cash = AccountModel.objects.get(coa_model_id=book_b.coa_id, code="5161")
    entity_a.commit_txs(
        je_timestamp=date(2026, 3, 5), je_ledger_model=ledger_a, je_posted=True, je_desc="leak",
        je_txs=[{"account": b_only, "amount": Decimal("5.00"), "tx_type": "debit", "description": "x"},
                {"account": b_cash, "amount": Decimal("5.00"), "tx_type": "credit", "description": "x"}],
    )  # fmt: skip
    assert ledger_a.journal_entries.count() == 1
    # our path: the code is not in A's chart, refused, nothing written
    with pytest.raises(DomainError) as info:
        post(book_a, date(2026, 3, 5), "leak", dr("342199", "5.00"), cr("5161", "5.00"))
    assert info.value.code == ErrorCode.ACCOUNT_NOT_IN_CHART
    assert info.value.message("fr") == "Le compte 342199 n'existe pas dans le plan de ce livre."
    assert not Entry.objects.filter(book=book_a).exists()


def test_future_dates_unbalanced_and_unsourced_entries_are_refused(book_a: Any) -> None:
    with pytest.raises(DomainError) as info:
        post(book_a, date(2026, 11, 23), "future", dr("5161", "1.00"), cr("7121", "1.00"))
    assert info.value.code == ErrorCode.FUTURE_DATE
    with pytest.raises(DomainError) as info:
        post(book_a, TODAY, "unbalanced", dr("5161", "1.00"), cr("7121", "0.99"))
    assert info.value.code == ErrorCode.UNBALANCED_ENTRY
    with pytest.raises(DomainError) as info:
        post(book_a, TODAY, "nosource", dr("5161", "1.00"), cr("7121", "1.00"), ref=" ")
    assert info.value.code == ErrorCode.MISSING_SOURCE
    assert not Entry.objects.exists()
    assert not Balance.objects.exists()


def test_a_locked_month_refuses_postings_and_unlocking_needs_an_admin_and_a_reason(book_a: Any) -> None:
    accountant = UserFactory(role="gie_accountant")
    admin = UserFactory(role="gie_admin")
    period_lock(book=book_a, year=2026, month=3, acting_user=accountant)
    with pytest.raises(DomainError) as info:
        post(book_a, date(2026, 3, 31), "late", dr("5161", "1.00"), cr("7121", "1.00"))
    assert info.value.code == ErrorCode.PERIOD_LOCKED
    assert info.value.message("fr") == "La période 2026-03 est verrouillée pour ce livre."
    post(book_a, date(2026, 4, 1), "april", dr("5161", "1.00"), cr("7121", "1.00"))  # April is open
    with pytest.raises(DomainError) as info:
        period_unlock(book=book_a, year=2026, month=3, acting_user=accountant, reason="erreur")
    assert info.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as info:
        period_unlock(book=book_a, year=2026, month=3, acting_user=admin, reason="")
    assert info.value.code == ErrorCode.UNLOCK_REASON_REQUIRED
    period_unlock(book=book_a, year=2026, month=3, acting_user=admin, reason="facture oubliée")
    post(book_a, date(2026, 3, 31), "late", dr("5161", "1.00"), cr("7121", "1.00"))
    from gie_erp.core.models import AuditEvent

    assert AuditEvent.objects.get(event="ledger.period_unlocked").data == {
        "period": "2026-03",
        "reason": "facture oubliée",
    }


def test_a_reversal_restores_every_balance(march: dict[str, Any], coop_a: Any, gie: Any) -> None:
    book = march["a"]
    before = {
        (r.account_code): (r.debit - r.credit) for r in trial_balance(book_ids=[book.pk], start=None, end=MARCH_31)
    }
    sale = post(book, date(2026, 3, 30), "extra", dr("3488", "999.99", gie), cr("7121", "999.99"))
    entry = Entry.objects.get(pk=sale.je_id)
    reversal = journal_entry_reverse(entry=entry, reversed_on=date(2026, 3, 31), reason="saisie en double", today=TODAY)
    after = {
        (r.account_code): (r.debit - r.credit) for r in trial_balance(book_ids=[book.pk], start=None, end=MARCH_31)
    }
    assert after == before
    reversal_entry = Entry.objects.get(pk=reversal.je_id)
    assert reversal_entry.reversal_of_id == entry.pk
    assert [(ln.account_code, ln.debit, ln.credit, ln.partner_id) for ln in entry_lines(reversal_entry)] == [
        ("7121", Decimal("999.99"), Decimal("0.00"), None),
        ("3488", Decimal("0.00"), Decimal("999.99"), gie.pk),
    ]
    # replaying the reversal is a no-op; reversing a reversal or reversing twice is refused
    assert journal_entry_reverse(entry=entry, reversed_on=date(2026, 3, 31), today=TODAY).je_id == reversal.je_id
    with pytest.raises(DomainError) as info:
        journal_entry_reverse(entry=reversal_entry, reversed_on=date(2026, 3, 31), today=TODAY)
    assert info.value.code == ErrorCode.REVERSAL_OF_REVERSAL


def test_partner_is_kept_per_line_and_in_the_balance_table(march: dict[str, Any], coop_a: Any, gie: Any) -> None:
    gie_book = march["gie"]
    cell = Balance.objects.get(book=gie_book, account_code="4463", partner_id=coop_a.pk, year=2026, month=3)
    assert (cell.debit, cell.credit) == (600000, 600000)  # centimes: 720 + 5 280 against 6 000
    assert PartnerLine.objects.filter(book=march["a"], partner=gie).count() == 4


def test_bulk_posting_is_all_or_nothing(book_a: Any, book_b: Any) -> None:
    good = EntryDraft(
        book_a.pk, date(2026, 2, 1), Journal.CASH, "ok", "T1", "b1", (dr("5161", "5.00"), cr("7121", "5.00"))
    )
    bad = EntryDraft(
        book_b.pk, date(2026, 2, 1), Journal.CASH, "ko", "T2", "b2", (dr("999999", "5.00"), cr("7121", "5.00"))
    )
    with pytest.raises(DomainError):
        journal_entries_post(drafts=[good, bad], today=TODAY)
    assert not Entry.objects.exists()
    refs = journal_entries_post(drafts=[good, good], today=TODAY)  # a key twice in one batch: one entry
    assert refs[0] == refs[1]
    assert Entry.objects.count() == 1


def test_numbers_are_gapless_per_journal_and_year_in_date_order(book_a: Any) -> None:
    drafts = [
        EntryDraft(
            book_a.pk,
            date(2026, 1, day),
            Journal.CASH,
            "v",
            f"T{day}",
            f"n{day}",
            (dr("5161", "1.00"), cr("7121", "1.00")),
        )
        for day in (20, 3, 11)
    ]
    journal_entries_post(drafts=drafts, today=TODAY)
    post(book_a, date(2026, 1, 25), "n25", dr("5141", "1.00"), cr("7121", "1.00"), journal=Journal.BANK)
    numbers = list(Entry.objects.filter(book=book_a).order_by("posted_on").values_list("posted_on", "number"))
    assert numbers == [
        (date(2026, 1, 3), "CA2026-000001"),
        (date(2026, 1, 11), "CA2026-000002"),
        (date(2026, 1, 20), "CA2026-000003"),
        (date(2026, 1, 25), "BQ2026-000001"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_posting_leaves_no_stale_cache(coop_a: Any) -> None:
    """Regression: a ledger created inside a transaction that rolled back stayed in the process cache, and the next
    posting referenced a ledger that did not exist (foreign-key error)."""
    from django.db import transaction

    from ledger.books import book_ensure

    book = book_ensure(organization=coop_a)

    def post_then_fail() -> None:
        with transaction.atomic():
            post(book, date(2026, 5, 2), "first", dr("5161", "3.00"), cr("7121", "3.00"))
            raise RuntimeError("the caller fails after posting: everything rolls back")

    with pytest.raises(RuntimeError):
        post_then_fail()
    assert not Entry.objects.exists()
    ref = post(book, date(2026, 5, 2), "first", dr("5161", "3.00"), cr("7121", "3.00"))
    assert ref.created
    assert account_balance(book=book, code="5161", end=date(2026, 5, 31)) == Decimal("3.00")


def test_a_replay_in_a_month_locked_since_still_returns_its_entry(book_a: Any) -> None:
    first = post(book_a, date(2026, 3, 10), "before", dr("5161", "8.00"), cr("7121", "8.00"))
    period_lock(book=book_a, year=2026, month=3, acting_user=None)
    again = post(book_a, date(2026, 3, 10), "before", dr("5161", "8.00"), cr("7121", "8.00"))
    assert (again.je_id, again.created) == (first.je_id, False)


def test_a_large_batch_keeps_awkward_text_exactly(book_a: Any) -> None:
    """Large batches go through COPY on PostgreSQL in our own text format: tabs, newlines, backslashes survive."""
    from django_ledger.models import TransactionModel

    awkward = "Vente\tfoire\\Tanger\nligne 2 « ok » ٪"
    drafts = [
        EntryDraft(book_a.pk, date(2026, 2, 1 + n % 28), Journal.SALES, awkward, f"T\t{n}", f"big-{n}",
                   (dr("3421", "1.05"), cr("7121", "1.05")))
        for n in range(150)
    ]  # fmt: skip
    journal_entries_post(drafts=drafts, today=TODAY)
    entry = Entry.objects.get(book=book_a, idempotency_key="big-7")
    assert entry.description == awkward
    assert entry.source_ref == "T\t7"
    assert set(TransactionModel.objects.filter(journal_entry_id=entry.pk).values_list("description", flat=True)) == {
        awkward
    }
    assert account_balance(book=book_a, code="3421", end=date(2026, 2, 28)) == Decimal("157.50")


def test_replays_leave_no_gap_in_the_numbering(book_a: Any) -> None:
    """Regression guard for the single path's speculative number reservation: a replay rolls its number back."""
    post(book_a, date(2026, 5, 4), "g1", dr("5161", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
    for _ in range(3):
        post(book_a, date(2026, 5, 4), "g1", dr("5161", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
    with pytest.raises(DomainError):  # refused after its number was reserved: rolled back too
        post(book_a, date(2026, 5, 5), "g-bad", dr("999999", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
    second = post(book_a, date(2026, 5, 6), "g2", dr("5161", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
    assert second.number == "CA2026-000002"


def test_a_small_batch_writes_partners_text_and_balances_exactly(book_a: Any, book_b: Any, gie: Any) -> None:
    """A batch under the COPY threshold goes as one statement (one array per column on PostgreSQL): every value,
    NULL and partner must land where the single path and COPY put them."""
    from django_ledger.models import TransactionModel

    text = "Foire\tde Tétouan\\2026\n« الحرف »"
    drafts = [
        EntryDraft(book_a.pk, date(2026, 4, 3), Journal.SALES, text, "F-1", "s1",
                   (dr("3488", "1250.40", gie), cr("7121", "1042.00"), cr("4455", "208.40"))),
        EntryDraft(book_b.pk, date(2026, 4, 9), Journal.CASH, "caisse", "F-2", "s2",
                   (dr("5161", "99.99"), cr("7121", "99.99"))),
        EntryDraft(book_a.pk, date(2026, 5, 2), Journal.BANK, "encaissement", "F-3", "s3",
                   (dr("5141", "1250.40"), cr("3488", "1250.40", gie))),
    ]  # fmt: skip
    refs = journal_entries_post(drafts=drafts, today=TODAY)
    assert [ref.number for ref in refs] == ["VT2026-000001", "CA2026-000001", "BQ2026-000001"]
    first = Entry.objects.get(pk=refs[0].je_id)
    assert (first.description, first.source_ref, first.reversal_of_id, first.actor_id) == (text, "F-1", None, None)
    assert set(TransactionModel.objects.filter(journal_entry_id=first.pk).values_list("description", flat=True)) == {
        text
    }
    assert sorted(PartnerLine.objects.filter(book=book_a).values_list("partner_id", flat=True)) == [gie.pk, gie.pk]
    # 3488 in A: +1,250.40 in April, -1,250.40 in May, all with the GIE as partner
    april = Balance.objects.get(book=book_a, account_code="3488", year=2026, month=4)
    may = Balance.objects.get(book=book_a, account_code="3488", year=2026, month=5)
    assert (april.partner_id, april.debit, april.credit) == (gie.pk, 125040, 0)
    assert (may.partner_id, may.debit, may.credit) == (gie.pk, 0, 125040)
    assert account_balance(book=book_a, code="3488", end=date(2026, 4, 30)) == Decimal("1250.40")
    assert account_balance(book=book_a, code="3488", end=date(2026, 5, 31)) == Decimal("0.00")
    assert account_balance(book=book_b, code="7121", end=date(2026, 4, 30)) == Decimal("-99.99")


def test_a_batch_opens_each_journal_of_each_book_once(book_a: Any, book_b: Any) -> None:
    """Ledgers (one per book, journal and year) are resolved and created together for a batch, not one by one."""
    from django_ledger.models import JournalEntryModel, LedgerModel

    from ledger.books import ledger_uuids

    existing = ledger_uuids([(book_a.entity_id, "CA", 2026)])[(book_a.entity_id, "CA", 2026)]  # made before
    plan = [
        (book_a, Journal.CASH, 1),
        (book_a, Journal.SALES, 2),
        (book_b, Journal.CASH, 3),
        (book_b, Journal.MISC, 4),
        (book_b, Journal.MISC, 5),
    ]
    lines = (dr("5161", "1.00"), cr("7121", "1.00"))
    drafts = [
        EntryDraft(book.pk, date(2026, 3, day), journal, "x", f"L{n}", f"l{n}", lines)
        for n, (book, journal, day) in enumerate(plan)
    ]
    journal_entries_post(drafts=drafts, today=TODAY)
    journal_entries_post(drafts=[replace(d, idempotency_key=d.idempotency_key + "b") for d in drafts], today=TODAY)
    ledgers = set(LedgerModel._base_manager.values_list("entity_id", "ledger_xid", "posted"))
    assert ledgers == {
        (book_a.entity_id, "ca-2026", True),
        (book_a.entity_id, "vt-2026", True),
        (book_b.entity_id, "ca-2026", True),
        (book_b.entity_id, "od-2026", True),
    }
    first = Entry.objects.get(book=book_a, idempotency_key="l0")
    assert JournalEntryModel.objects.get(uuid=first.pk).ledger_id == existing


def test_an_amount_over_the_limit_is_said_in_the_amounts_format() -> None:
    """Regression: the refusal read « 1000000000.00 » and (999999999.99); amounts are written as everywhere else."""
    with pytest.raises(DomainError) as caught:
        JournalLine("5141", debit=Decimal("1000000000.00"))
    assert caught.value.code == ErrorCode.AMOUNT_TOO_LARGE
    assert caught.value.message("fr") == (
        "« 1\u202f000\u202f000\u202f000,00 » dépasse le plus grand montant accepté (999\u202f999\u202f999,99)."
    )
