"""Celery tasks of the fees: ids in, storage names out, safe to retry (a rendered notice is not redone)."""

from celery import shared_task

from gie_erp.fees.models import Share
from gie_erp.fees.rendering import share_notice_render


@shared_task(name="fees.notice_render", acks_late=True, max_retries=2, time_limit=120)
def notice_render(share_id: int) -> str:
    """Render and store one share's fee notice; returns its storage name."""
    return share_notice_render(share_id=share_id)


@shared_task(name="fees.notices_dispatch", acks_late=True)
def notices_dispatch(run_id: int) -> int:
    """Queue one render task per share of the run not yet rendered; returns how many were queued."""
    share_ids = list(
        Share.objects.filter(run_id=run_id, rendered_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for share_id in share_ids:
        notice_render.delay(share_id)
    return len(share_ids)


def tasks_run_in_process() -> bool:
    """True without a broker (eager mode): the notices are rendered inline, by whoever dispatches them."""
    return bool(notice_render.app.conf.task_always_eager)


def run_notices_dispatch(run_id: int) -> int:
    """Have the run's notices rendered: on the workers (one task per share, queued by a dispatch task, so that
    posting returns at once), or inline in eager mode. Call it after the run commits (``transaction.on_commit``)."""
    if tasks_run_in_process():
        return notices_dispatch(run_id)
    notices_dispatch.delay(run_id)
    return 0
