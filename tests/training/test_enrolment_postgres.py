"""No overbooking under concurrency, on PostgreSQL: 20 cooperators enrol at once, each in its own transaction on
its own connection, in a session of 10 seats. The session's row lock makes them queue: exactly 10 are seated and
10 wait, at positions 1 to 10, each once."""

import threading
from importlib import import_module
from typing import Any

import pytest
from django.db import connection

from tests.training.conftest import ENROLLED_ON, people, training_world
from training.models import Enrolment
from training.services import enrol

# transaction=True: each thread's connection must see the committed session
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: Any) -> None:
    """An earlier transactional test flushes the tables, data migrations' rows included: put back the VAT rates
    and the posting rules."""
    from django.apps import apps

    for module, function in (
        ("invoices.migrations.0002_vat_rates", "load"),
        ("invoices.migrations.0004_vat_rates_2026", "apply"),
        ("ledger.migrations.0006_posting_rule_defaults", "load"),
    ):
        getattr(import_module(module), function)(apps, None)


def test_20_concurrent_enrolments_for_10_seats_never_overbook(world: dict[str, Any]) -> None:
    t = training_world(world)
    cooperators = people(t["exempt"], 12, "O") + people(t["registered"], 8, "M")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(cooperator: Any) -> None:
        try:
            barrier.wait()
            enrol(session=t["session"], cooperator=cooperator, on=ENROLLED_ON, acting_user=t["staff"])
        except Exception as error:  # collected, and asserted on below
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in cooperators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    enrolments = Enrolment.objects.filter(session=t["session"])
    assert enrolments.count() == 20
    assert enrolments.filter(state="enrolled").count() == 10
    waiting = enrolments.filter(state="waitlisted")
    assert sorted(position or 0 for position in waiting.values_list("waitlist_position", flat=True)) == list(
        range(1, 11)
    )
    assert enrolments.values("cooperator").distinct().count() == 20
