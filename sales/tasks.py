"""Celery tasks of collective sales: ids in, safe to retry (a ticket is claimed by exactly one run, a day is posted
whole or not at all, so a task redelivered after its worker died goes on where the books are)."""

from celery import shared_task

from gie_erp.core.errors import DomainError
from sales.models import SummaryRun
from sales.summaries import summarize


@shared_task(name="sales.summarize_run", bind=True, acks_late=True, reject_on_worker_lost=True)
def summarize_run(self: object, run_id: int) -> int:
    """Carry out (or resume) one summary run; returns the number of entries it has posted."""
    run = SummaryRun.objects.select_related("event", "requested_by").get(pk=run_id)
    if run.state == SummaryRun.State.DONE:
        return run.entry_count
    task_id = str(getattr(getattr(self, "request", None), "id", "") or "")
    if task_id:
        SummaryRun.objects.filter(pk=run_id).update(task_id=task_id[:64])
    try:
        run = summarize(run.event, acting_user=run.requested_by, run=run)
    except DomainError:  # a refusal (a locked month…): recorded on the run, retrying would not change it
        run.refresh_from_db()
    return run.entry_count
