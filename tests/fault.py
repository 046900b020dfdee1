"""What the fault tests share: their own Celery worker on their own queue (killed whole, restarted), a wait with
the worker's log on timeout, the database sessions waiting on a lock, and the reference rows a transactional test's
flush removed (data migrations' VAT rates and posting rules)."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import connection

WORKER = """
import sys
from config.celery import app
app.conf.broker_transport_options = {
    "visibility_timeout": 4, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.worker_main(["worker", "--pool=prefork", "--concurrency=1", "-Q", sys.argv[1], "-n", sys.argv[2],
                 "--without-mingle", "--without-gossip", "--loglevel=INFO"])
"""


def reference_data_load() -> None:
    """An earlier transactional test flushed the tables, data migrations' rows included: put back the VAT rates and
    the posting rules (as tests/invoices/test_numbering_postgres.py does)."""
    from django.apps import apps

    for module, function in (
        ("invoices.migrations.0002_vat_rates", "load"),
        ("invoices.migrations.0004_vat_rates_2026", "apply"),
        ("ledger.migrations.0006_posting_rule_defaults", "load"),
        ("ledger.migrations.0014_consignment_loss_rule", "load"),
    ):
        getattr(import_module(module), function)(apps, None)


def start_worker(queue: str, log: Any) -> subprocess.Popen[bytes]:
    """A worker of the test database on ``queue`` only, with a 4-second visibility timeout: a message a killed
    worker took comes back to the next one within seconds."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    name = f"fault-{queue}-{time.monotonic_ns()}@%h"
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, queue, name],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed whole, pool children included
    )


def stop(worker: subprocess.Popen[bytes], sig: int) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    worker.wait(timeout=60)


def wait_for(what: Callable[[], bool], seconds: float, log: Any) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            log.seek(0)
            raise AssertionError(f"timed out; worker log:\n{log.read().decode(errors='replace')[-4000:]}")
        time.sleep(0.2)


def backends_waiting_on_a_lock() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


def terminate_waiting_backends() -> None:
    """The killed worker's database sessions (they never committed) go too."""
    for pid in backends_waiting_on_a_lock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
