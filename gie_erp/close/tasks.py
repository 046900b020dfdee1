"""Celery tasks of the close: ids in, one book per task, safe to repeat (an item done is left as it is)."""

from celery import shared_task

from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.close.services import close_item_process


@shared_task(name="close.item", acks_late=True, max_retries=2, time_limit=300)
def close_item(item_id: int) -> str:
    """Close one book for its run's month (checks, VAT liquidation, lock), or record why not."""
    return close_item_process(item_id=item_id)


def tasks_run_in_process() -> bool:
    """True without a broker (eager mode): the command and the progress page process the items themselves."""
    return bool(close_item.app.conf.task_always_eager)


@shared_task(name="close.dispatch", acks_late=True)
def close_run_dispatch(run_id: int) -> int:
    """Queue one task per pending item of the run; returns how many were queued."""
    run = CloseRun.objects.get(pk=run_id)
    item_ids = list(run.items.filter(status=CloseItem.Status.PENDING).values_list("pk", flat=True))
    for item_id in item_ids:
        close_item.delay(item_id)
    return len(item_ids)
