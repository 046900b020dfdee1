"""Fault: a Celery worker killed (SIGKILL, the whole worker) in the middle of a summary, then restarted. The task
comes back (acks late: the broker gives an unacknowledged message to the next worker), the run resumes where the
books are — the days it committed stay, the day under way left nothing — and summarizing again posts nothing. The
books then equal those of an uninterrupted run of the same tickets (a twin event summarized in one go).

The test starts its own worker on its own queue (CI's worker never sees these tasks), with a short visibility
timeout so that the restarted worker takes the orphaned message back within seconds. To kill the worker at a known
point, the test holds a row lock on a ticket of the third day: the worker commits days 1 and 2, then waits on
that lock inside day 3's transaction, and is killed there.
"""

import signal
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app
from sales.models import Event, Participation, Summary, SummaryRun, Ticket
from sales.summaries import summarize
from sales.tasks import summarize_run
from sales.tickets import Status, tickets_ingest
from tests.fault import (
    backends_waiting_on_a_lock,
    reference_data_load,
    start_worker,
    stop,
    terminate_waiting_backends,
    wait_for,
)
from tests.sales.books_view import assert_books_verify, entries
from tests.sales.conftest import TZ, fair, ticket, world  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.postgres, pytest.mark.celery_live, pytest.mark.django_db(transaction=True)]
DAYS = 4


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: Any) -> None:
    reference_data_load()


def ring(fair: dict[str, Any], event: Event, first: Any, sequence: int) -> None:  # noqa: F811
    """Four days of a small fair, every member, every method; a refund on the last day."""
    p = fair["products"]
    payloads = []
    for d in range(DAYS):
        day = first + timedelta(days=d)
        for n in range(6):
            sold_at = datetime(day.year, day.month, day.day, 10 + n, tzinfo=TZ).isoformat()
            method = ("cash", "card", "mobile", "cheque")[(d + n) % 4]
            lines = [(p["huile"], "1", "80.00"), (p["miel"], str(1 + n % 2), "120.00"), (p["amlou"], "1", "55.00")]
            if n % 3 == 0:
                lines.append((p["tapis"], "1", "450.00"))
            total = sum(int(q) * float(u) for _p, q, u in lines)  # whole dirhams here: exact in a float
            sequence += 1
            payloads.append(ticket(event, lines, [(method, f"{total:.2f}")], sold_at=sold_at, sequence=sequence))
    sequence += 1
    last = first + timedelta(days=DAYS - 1)
    payloads.append(ticket(event, [(p["amlou"], "-1", "55.00")], [("cash", "-55.00")], sequence=sequence,
                           sold_at=datetime(last.year, last.month, last.day, 19, tzinfo=TZ).isoformat(),
                           refund_of=payloads[0]["id"]))  # fmt: skip
    acks = tickets_ingest(payloads, device=fair["device"])
    assert {a.status for a in acks} == {Status.STORED}, [a.message for a in acks if a.status != Status.STORED]


def normalized(organization: Any, event: Event) -> dict[str, tuple[str, list[str]]]:
    """A book's summary entries of one event, the event's id taken out of the keys (to compare two events)."""
    prefix = f"sale:{event.pk}:"
    return {"sale:E:" + key[len(prefix) :]: value for key, value in entries(organization, prefix=prefix).items()}


def test_a_worker_killed_during_a_summary_leaves_books_equal_to_an_uninterrupted_run(
    fair: dict[str, Any],  # noqa: F811
    tmp_path: Any,
) -> None:
    today = timezone.localdate()
    first = today - timedelta(days=DAYS + 1)  # the worker summarizes up to its own today: the fair is last week
    event = fair["event"]
    event.starts_on, event.ends_on = first, first + timedelta(days=DAYS - 1)
    event.save()
    twin = Event.objects.create(channel=event.channel, slug="foire-jumelle", name_fr="Foire jumelle",
                                starts_on=event.starts_on, ends_on=event.ends_on, state=Event.State.OPEN)  # fmt: skip
    for participation in event.participations.all():
        Participation.objects.create(event=twin, organization=participation.organization, stand=participation.stand)
    twin.sellers.add(fair["seller"])
    ring(fair, event, first, 0)
    ring(fair, twin, first, 1000)

    queue = f"fault-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("w+b")
    run = SummaryRun.objects.create(event=event)
    third = first + timedelta(days=2)
    app.conf.task_always_eager = False
    worker = start_worker(queue, log)
    try:
        with transaction.atomic():  # hold one ticket of the third day: the worker stops inside that day
            Ticket.objects.select_for_update().filter(event=event, sold_on=third).order_by("pk").first()
            summarize_run.apply_async(args=[run.pk], queue=queue)

            def blocked_in_day_three() -> bool:
                done = SummaryRun.objects.filter(pk=run.pk).values_list("days_done", flat=True).first()
                return done == 2 and bool(backends_waiting_on_a_lock())

            wait_for(blocked_in_day_three, 120, log)
            stop(worker, signal.SIGKILL)  # the worker and its pool child die mid-transaction
            terminate_waiting_backends()  # its orphaned database session goes too (never committed)
        # what the crash left: days 1 and 2 whole, nothing of day 3
        assert SummaryRun.objects.get(pk=run.pk).state == SummaryRun.State.RUNNING
        assert set(Summary.objects.filter(event=event).values_list("day", flat=True)) == {first, first + timedelta(1)}
        assert not Ticket.objects.filter(event=event, sold_on__gte=third, summary_run__isnull=False).exists()

        worker = start_worker(queue, log)  # restarted: it takes the orphaned task back and resumes the run
        wait_for(lambda: SummaryRun.objects.get(pk=run.pk).state != SummaryRun.State.RUNNING, 180, log)
    finally:
        stop(worker, signal.SIGTERM)
        app.conf.task_always_eager = True
    resumed = SummaryRun.objects.get(pk=run.pk)
    assert (resumed.state, resumed.days_total, resumed.days_done, resumed.error) == ("done", DAYS, DAYS, "")
    assert not Ticket.objects.filter(event=event, summary_run__isnull=True).exists()
    again = summarize(event)
    assert (again.ticket_count, again.entry_count) == (0, 0)

    uninterrupted = summarize(twin)
    assert uninterrupted.ticket_count == Ticket.objects.filter(event=event).count() == DAYS * 6 + 1
    for organization in (fair["gie"], fair["exempt"], fair["registered"], fair["tapis"]):
        assert normalized(organization, event) == normalized(organization, twin)
    rows = ("day", "organization_id", "method", "part", "posted_on", "amount", "vat")
    assert sorted(Summary.objects.filter(event=event).values_list(*rows)) == sorted(
        Summary.objects.filter(event=twin).values_list(*rows)
    )
    assert_books_verify()
