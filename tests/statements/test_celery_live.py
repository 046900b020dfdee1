"""print_statements with a real Celery worker on Redis (started by .ci/run on the test database)."""

import io
from typing import Any

import pytest
from django.core.management import call_command
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
