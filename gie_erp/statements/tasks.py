"""Celery tasks of the statements: ids in, storage names out, safe to retry (a rendered item is not redone)."""

from datetime import date

from celery import shared_task

from gie_erp.statements.models import StatementBatch
from gie_erp.statements.services import statement_batch_item_render


@shared_task(name="statements.render", acks_late=True, max_retries=2, time_limit=120)
def statement_render(item_id: int, printed_on: str) -> str:
    """Render one batch item's statement (``printed_on`` is an ISO date) and return its storage name."""
    return statement_batch_item_render(item_id=item_id, printed_on=date.fromisoformat(printed_on))


def tasks_run_in_process() -> bool:
    """True without a broker (eager mode): nobody else will render a batch, so its progress page drives the work
    (``services.statement_batch_advance``); with workers, ``statement_batch_dispatch`` queues it."""
    return bool(statement_render.app.conf.task_always_eager)


@shared_task(name="statements.dispatch", acks_late=True)
def statement_batch_dispatch(batch_id: int, printed_on: str) -> int:
    """Queue one render task per item not yet rendered; returns how many were queued."""
    batch = StatementBatch.objects.get(pk=batch_id)
    item_ids = list(batch.items.filter(rendered_at__isnull=True).values_list("pk", flat=True))
    for item_id in item_ids:
        statement_render.delay(item_id, printed_on)
    return len(item_ids)
