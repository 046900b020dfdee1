"""Celery tasks of the close: ids in, a batch of books per task, safe to repeat (an item done is left as it is)."""

from celery import shared_task

from gie_erp.close.services import close_item_process, close_items_process, close_run_batches


@shared_task(name="close.item", acks_late=True, max_retries=2, time_limit=300)
def close_item(item_id: int) -> str:
    """Close one book for its run's month (checks, VAT liquidation, lock), or record why not."""
    return close_item_process(item_id=item_id)


@shared_task(name="close.items", acks_late=True, max_retries=2, time_limit=600)
def close_items(item_ids: list[int]) -> int:
    """Close a batch of books (``close_items_process``: checks read once, each book in its own transaction);
    returns how many of them are closed. Delivered again after a crash, it finishes the books still pending."""
    return sum(1 for status in close_items_process(item_ids=item_ids).values() if status == "closed")


def tasks_run_in_process() -> bool:
    """True without a broker (eager mode): the command and the progress page process the items themselves."""
    return bool(close_item.app.conf.task_always_eager)


@shared_task(name="close.dispatch", acks_late=True)
def close_run_dispatch(run_id: int) -> int:
    """Queue the run's pending items, a task per batch (``BATCH_SIZE`` books); returns how many items were queued."""
    batches = close_run_batches(run_id=run_id)
    for item_ids in batches:
        close_items.delay(item_ids)
    return sum(len(item_ids) for item_ids in batches)
