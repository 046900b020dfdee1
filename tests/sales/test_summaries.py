"""Summaries: tickets into the books in bulk, once. Summarizing again posts nothing; tickets synced after their day
was summarized post a complement (dated that day, or the first open day when the month is locked); days after
today wait; a run resumed after a crash goes on where the books are."""

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.models import Book, Entry
from ledger.services import period_lock
from sales.models import Summary, SummaryRun, Ticket
from sales.summaries import summarize, summary_start, vat_per_method
from sales.tickets import Status, tickets_ingest
from tests.sales.books_view import assert_books_verify, entries, ingest
from tests.sales.conftest import TODAY, TZ, D, at, ticket

pytestmark = pytest.mark.django_db


def oil(fair: dict[str, Any], day: int, seq: int, method: str = "cash", qty: str = "1", **kw: Any) -> dict[str, Any]:
    amount = f"{80 * int(qty)}.00"
    return ticket(fair["event"], [(fair["products"]["huile"], qty, "80.00")], [(method, amount)],
                  sold_at=at(day, 10 + seq % 8), sequence=seq, **kw)  # fmt: skip


def test_summarizing_twice_posts_nothing_the_second_time(fair: dict[str, Any]) -> None:
    ingest(fair, [oil(fair, 21, 1), oil(fair, 21, 2, "card"), oil(fair, 22, 3, qty="2")])
    first = summarize(fair["event"], today=TODAY)
    # 21: cash 80.00, card 80.00 → 2 GIE entries + 1 olive entry; 22: cash 160.00 → 1 + 1
    assert (first.ticket_count, first.entry_count, first.days_total, first.days_done) == (3, 5, 2, 2)
    before = Entry.objects.count()
    again = summarize(fair["event"], today=TODAY)
    assert (again.state, again.ticket_count, again.entry_count, again.days_total) == ("done", 0, 0, 0)
    assert Entry.objects.count() == before
    assert set(Ticket.objects.values_list("summary_run", flat=True)) == {first.pk}
    assert Summary.objects.count() == 3
    assert_books_verify()


def test_a_ticket_synced_after_its_day_was_summarized_posts_a_complement(fair: dict[str, Any]) -> None:
    olive, gie, e = fair["exempt"], fair["gie"], fair["event"].pk
    ingest(fair, [oil(fair, 21, 1)])
    summarize(fair["event"], today=TODAY)
    ingest(fair, [oil(fair, 21, 2), oil(fair, 21, 3, "card")])  # the phone was offline: synced days later
    run = summarize(fair["event"], today=TODAY)
    assert (run.ticket_count, run.entry_count) == (2, 3)
    # part 1 for cash (part 0 exists), part 0 for card (never summarized): never an edit of the first entries
    assert sorted(Summary.objects.values_list("method", "part", "amount")) == [
        ("card", 0, D("80.00")),
        ("cash", 0, D("80.00")),
        ("cash", 1, D("80.00")),
    ]
    day = "2026-11-21"
    assert entries(gie, prefix=f"sale:{e}:{day}:{olive.pk}:cash:1") == {
        f"sale:{e}:{day}:{olive.pk}:cash:1": (day, ["Cr 4463·coop-olive 80.00", "Dr 5161 80.00"])
    }
    assert entries(olive) == {
        f"sale:{e}:{day}:{olive.pk}:cash0": (day, ["Cr 7121 80.00", "Dr 3488·gie 80.00"]),
        f"sale:{e}:{day}:{olive.pk}:card0+cash1": (day, ["Cr 7121 160.00", "Dr 3488·gie 160.00"]),
    }
    complement = Entry.objects.get(idempotency_key=f"sale:{e}:{day}:{olive.pk}:card0+cash1")
    assert complement.description.startswith("Complément 1 des ventes du 21/11/2026")
    assert_books_verify()


def test_a_complement_for_a_locked_month_is_dated_the_first_open_day(fair: dict[str, Any]) -> None:
    olive, gie, e = fair["exempt"], fair["gie"], fair["event"].pk
    ingest(fair, [oil(fair, 21, 1)])
    summarize(fair["event"], today=TODAY)
    period_lock(book=Book.objects.get(organization=gie), year=2026, month=11, acting_user=None)  # the GIE's only
    ingest(fair, [oil(fair, 21, 2)])
    # still in November: no open day of the GIE's book up to today → refused, the run failed, nothing claimed
    with pytest.raises(DomainError) as refused:
        summarize(fair["event"], today=TODAY)
    assert refused.value.code == ErrorCode.SALES_NO_OPEN_DAY
    failed = SummaryRun.objects.order_by("-pk").first()
    assert failed is not None
    assert (failed.state, "verrouillé" in failed.error) == ("failed", True)
    assert Ticket.objects.filter(summary_run__isnull=True).count() == 1
    # on 2 December, the complement goes to 1 December in the GIE's book, to its day in olive's (open) book
    run = summarize(fair["event"], today=date(2026, 12, 2))
    assert (run.state, run.ticket_count) == ("done", 1)
    key = f"sale:{e}:2026-11-21:{olive.pk}:cash:1"
    assert entries(gie, prefix=key) == {key: ("2026-12-01", ["Cr 4463·coop-olive 80.00", "Dr 5161 80.00"])}
    assert Entry.objects.get(idempotency_key=key).description.startswith("Complément 1 des ventes du 21/11/2026")
    assert entries(olive, prefix=f"sale:{e}:2026-11-21:{olive.pk}:cash1") == {
        f"sale:{e}:2026-11-21:{olive.pk}:cash1": ("2026-11-21", ["Cr 7121 80.00", "Dr 3488·gie 80.00"])
    }
    assert Summary.objects.get(part=1).posted_on == date(2026, 12, 1)  # the later of its two entries
    assert_books_verify()


def test_days_after_today_wait(fair: dict[str, Any]) -> None:
    ingest(fair, [oil(fair, 21, 1), oil(fair, 22, 2)])
    run = summarize(fair["event"], today=date(2026, 11, 21))
    assert (run.days_total, run.ticket_count) == (1, 1)
    assert Ticket.objects.get(summary_run__isnull=True).sold_on == date(2026, 11, 22)


def test_a_refund_by_another_method_and_a_day_that_nets_to_nothing(fair: dict[str, Any]) -> None:
    olive, gie, e = fair["exempt"], fair["gie"], fair["event"].pk
    sale = oil(fair, 21, 1, "card")
    sale_23 = oil(fair, 23, 3)
    ingest(fair, [sale, sale_23])
    refund = ticket(fair["event"], [(fair["products"]["huile"], "-1", "80.00")], [("cash", "-80.00")],
                    sold_at=at(21, 17), sequence=2, refund_of=sale["id"])  # fmt: skip
    refund_23 = ticket(fair["event"], [(fair["products"]["huile"], "-1", "80.00")], [("cash", "-80.00")],
                       sold_at=at(23, 17), sequence=4, refund_of=sale_23["id"])  # fmt: skip
    ingest(fair, [refund, refund_23])
    run = summarize(fair["event"], today=TODAY)
    # 21: card +80.00, cash −80.00: the GIE's card clearing account up, its cash down, 4463·olive back to zero;
    # olive sold nothing net: no entry in its book. 23: the same method both ways: nothing at all.
    assert (run.ticket_count, run.entry_count) == (4, 2)
    day = "2026-11-21"
    assert entries(gie) == {
        f"sale:{e}:{day}:{olive.pk}:card:0": (day, ["Cr 4463·coop-olive 80.00", "Dr 5115 80.00"]),
        f"sale:{e}:{day}:{olive.pk}:cash:0": (day, ["Cr 5161 80.00", "Dr 4463·coop-olive 80.00"]),
    }
    assert entries(olive) == {}
    assert Ticket.objects.filter(summary_run__isnull=True).count() == 0


def test_vat_is_spread_over_methods_exactly() -> None:
    # 10.00 over 1/3 each of 3.00 → 3.33 × 3 = 9.99, the centime to the smallest key (ties)
    assert vat_per_method(D("10.00"), {"card": D("1.00"), "cash": D("1.00"), "mobile": D("1.00")}) == {
        "card": D("3.34"),
        "cash": D("3.33"),
        "mobile": D("3.33"),
    }
    # a refund by card and a larger sale in cash: weights are the sizes, the VAT keeps its sign
    assert vat_per_method(D("-2.00"), {"card": D("-50.00"), "cash": D("150.00")}) == {
        "card": D("-0.50"),
        "cash": D("-1.50"),
    }
    assert vat_per_method(D("9.09"), {"cash": D("0.00")}) == {"cash": D("9.09")}
    assert vat_per_method(D("0.00"), {"cash": D("5.00")}) == {"cash": D("0.00")}


def test_a_resumed_run_skips_the_days_it_committed(fair: dict[str, Any]) -> None:
    """A task redelivered after its worker died resumes its run: a day it committed is not taken again, even if a
    ticket of that day arrived since (the next run makes it a complement)."""
    ingest(fair, [oil(fair, 21, 1)])
    run = summarize(fair["event"], today=date(2026, 11, 21))  # as if the worker died after the 21st
    ingest(fair, [oil(fair, 21, 2), oil(fair, 22, 3)])
    resumed = summarize(fair["event"], today=TODAY, run=run)
    assert (resumed.pk, resumed.days_total, resumed.days_done, resumed.ticket_count) == (run.pk, 2, 2, 2)
    assert Ticket.objects.filter(summary_run__isnull=True).count() == 1
    later = summarize(fair["event"], today=TODAY)
    assert later.ticket_count == 1
    assert sorted(Summary.objects.values_list("day", "part")) == [
        (date(2026, 11, 21), 0),
        (date(2026, 11, 21), 1),
        (date(2026, 11, 22), 0),
    ]


def test_summary_start_queues_the_task_after_commit(
    fair: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ingest(fair, [oil(fair, 21, 1)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = summary_start(fair["event"], acting_user=fair["seller"])
    assert callbacks[0].__qualname__.startswith("summary_start")  # then the ledger's cache hooks of the posting
    run.refresh_from_db()
    assert (run.state, run.ticket_count, run.entry_count, run.requested_by) == ("done", 1, 2, fair["seller"])


def test_the_command_summarizes_and_says_what_it_did(fair: dict[str, Any]) -> None:
    """The command uses the real today: the fair is moved to last week."""
    today = timezone.localdate()
    event = fair["event"]
    event.starts_on, event.ends_on = today - timedelta(days=8), today - timedelta(days=1)
    event.save()
    sold_at = datetime.combine(today - timedelta(days=3), datetime.min.time(), tzinfo=TZ).replace(hour=11)
    payload = ticket(event, [(fair["products"]["huile"], "1", "80.00")], [("cash", "80.00")],
                     sold_at=sold_at.isoformat(), sequence=1)  # fmt: skip
    assert tickets_ingest([payload], device=fair["device"])[0].status == Status.STORED
    out = io.StringIO()
    call_command("sales_summarize", event=event.slug, stdout=out)
    assert out.getvalue().strip() == f"{event.slug}: 1 ticket(s), 1/1 day(s), 2 entr(y/ies) posted"
    with pytest.raises(Exception, match="unknown event"):
        call_command("sales_summarize", event="nope")


@pytest.mark.postgres
def test_a_ticket_synced_between_the_sums_and_the_claim_is_posted_with_its_day(
    fair: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL sums every pending day before claiming them; a ticket that lands in between is claimed with its
    day, so the day must sum what it claimed rather than reuse the earlier sums (which would leave 80.00 unposted)."""
    from sales import summaries

    measured = summaries._pending_sums

    def sums_then_a_late_ticket(event: Any, today: date) -> Any:
        sums = measured(event, today)
        ingest(fair, [oil(fair, 21, 2, "card")])
        return sums

    monkeypatch.setattr(summaries, "_pending_sums", sums_then_a_late_ticket)
    ingest(fair, [oil(fair, 21, 1), oil(fair, 22, 3, qty="2")])
    run = summarize(fair["event"], today=TODAY)
    # the 21st: cash 80.00 counted by the sums + card 80.00 synced after them; the 22nd: cash 160.00
    assert run.ticket_count == 3
    assert sorted(Summary.objects.values_list("day", "method", "amount")) == [
        (date(2026, 11, 21), "card", D("80.00")),
        (date(2026, 11, 21), "cash", D("80.00")),
        (date(2026, 11, 22), "cash", D("160.00")),
    ]
    assert not Ticket.objects.filter(summary_run__isnull=True).exists()
    assert_books_verify()
