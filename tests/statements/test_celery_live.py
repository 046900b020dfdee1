"""print_statements with a real Celery worker on Redis (started by .ci/run on the test database)."""

import io
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from config.celery import app
from gie_erp.statements.models import StatementBatch


@pytest.mark.celery_live
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_batch(books: Any, tmp_path: Any) -> None:
    app.conf.task_always_eager = False
    try:
        stdout = io.StringIO()
        call_command("print_statements", month="2026-03", out=str(tmp_path), timeout=180, stdout=stdout)
    finally:
        app.conf.task_always_eager = True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle-2026-03.pdf", "coop-a-2026-03.pdf"]
    assert len(PdfReader(tmp_path / "coop-a-2026-03.pdf").pages) == 1
    assert "[1/1] coop-a" in stdout.getvalue()
    assert StatementBatch.objects.get().status == StatementBatch.Status.DONE


@pytest.mark.celery_live
@pytest.mark.django_db(transaction=True)
def test_the_batch_page_follows_a_real_worker(client: Any, accountant: Any, books: Any) -> None:
    """The accountant's launch queues the work; the page's polls only read until the worker has finished."""
    app.conf.task_always_eager = False
    try:
        client.force_login(accountant)
        client.post(reverse("statements:batch_new"), {"period": "2026-03"})
        batch = StatementBatch.objects.get()
        url = reverse("statements:batch_progress", args=[batch.pk])
        deadline = time.monotonic() + 180
        while (poll := client.post(url)).status_code != 286:
            assert poll.status_code == 200
            assert time.monotonic() < deadline, poll.content.decode()
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = True
    assert "1 relevé(s) sur 1" in poll.content.decode()
    assert "bundle-2026-03.pdf" in poll.content.decode()
    batch.refresh_from_db()
    assert batch.status == StatementBatch.Status.DONE
