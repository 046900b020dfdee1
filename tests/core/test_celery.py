import os
import uuid

import pytest

from config.celery import app
from gie_erp.core.models import AuditEvent
from gie_erp.core.tasks import heartbeat


@pytest.mark.django_db
def test_heartbeat_eager_writes_once():
    token = str(uuid.uuid4())
    first = heartbeat.delay(token).get()
    assert heartbeat.delay(token).get() == first
    assert AuditEvent.objects.filter(event="worker.heartbeat", target_id=token).count() == 1


@pytest.mark.celery_live
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_the_task_against_this_database():
    """The worker started by .ci/run must see the test database: it writes a row we then read."""
    token = str(uuid.uuid4())
    app.conf.task_always_eager = False
    try:
        result = heartbeat.apply_async(args=[token])
        event_id = result.get(timeout=60)
    finally:
        app.conf.task_always_eager = True
    assert os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")
    assert AuditEvent.objects.get(pk=event_id).target_id == token
