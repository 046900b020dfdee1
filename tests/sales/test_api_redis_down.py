"""With Redis down, sync still accepts tickets: the sync path enqueues nothing on Celery, and the rate limit's
cache, unreachable, lets the request through (logged) rather than losing a sale."""

import logging
import socket
from typing import Any

import pytest
from celery import Celery
from celery.app.task import Task
from django.core.cache import cache
from django.test import Client

from sales.models import Shift, Ticket
from sales.tickets import Status
from tests.sales.conftest import D, at, ticket
from tests.sales.till_server_support import auth, shift, with_token

pytestmark = pytest.mark.django_db
DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once


def _no_broker(*args: Any, **kwargs: Any) -> Any:
    raise ConnectionRefusedError("the broker is down (test)")


@pytest.fixture
def redis_down(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD}}
    settings.CELERY_BROKER_URL = DEAD
    settings.CELERY_RESULT_BACKEND = DEAD
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # anything the request path tried to enqueue would fail loudly, as it would against a dead broker
    monkeypatch.setattr(Task, "apply_async", _no_broker)
    monkeypatch.setattr(Task, "delay", _no_broker)
    monkeypatch.setattr(Celery, "send_task", _no_broker)
    with pytest.raises(Exception):  # noqa: B017 (any client error: the point is that the cache is down)
        cache.get("anything")


@pytest.mark.usefixtures("redis_down")
def test_with_redis_down_sync_still_accepts_tickets_and_closes_a_shift(
    client: Client, fair: dict[str, Any], settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.GIE_SALES_SYNC_RATE_PER_MINUTE = 1  # the limit cannot count without its cache: it lets sales through
    phone = with_token(fair["device"])
    p, event = fair["products"], fair["event"]
    opened = shift(event, opening_float="100.00")
    tickets = [
        ticket(event, [(p["huile"], "2", "80.00")], [("cash", "160.00")], sequence=1, shift=opened["id"]),
        ticket(event, [(p["miel"], "1", "120.00")], [("card", "120.00")], sequence=2, shift=opened["id"]),
    ]
    closed = {**opened, "closed_at": at(21, 19), "counted_cash": "260.00", "device_ticket_count": 2,
              "device_totals": {"cash": "160.00", "card": "120.00"}}  # fmt: skip
    body = {"shifts": [closed], "tickets": tickets}
    with caplog.at_level(logging.WARNING, logger="sales.devices"):
        first = client.post("/sales/api/sync/", body, content_type="application/json", **auth(phone))
        again = client.post("/sales/api/sync/", body, content_type="application/json", **auth(phone))
    assert first.status_code == 200
    assert again.status_code == 200
    assert [t["status"] for t in first.json()["tickets"]] == [Status.STORED, Status.STORED]
    assert [t["status"] for t in again.json()["tickets"]] == [Status.DUPLICATE, Status.DUPLICATE]
    z = first.json()["shifts"][0]["z"]
    # cash 160.00, card 120.00 on both sides; expected cash 100.00 + 160.00 = 260.00, counted 260.00
    assert (z["number"], z["provisional"], z["expected_cash"], z["cash_difference"]) == (1, False, "260.00", "0.00")
    assert Ticket.objects.count() == 2
    assert sum(t.total for t in Ticket.objects.all()) == D("280.00")
    assert Shift.objects.get().z_number == 1
    assert "the cache is unreachable" in caplog.text


@pytest.mark.usefixtures("redis_down")
def test_with_redis_down_the_catalogue_and_z_still_answer(client: Client, fair: dict[str, Any]) -> None:
    phone = with_token(fair["device"])
    assert client.get("/sales/api/events/foire-tanger-2026/catalogue/", **auth(phone)).status_code == 200
    opened = shift(fair["event"])
    client.post("/sales/api/sync/", {"shifts": [opened]}, content_type="application/json", **auth(phone))
    assert client.get(f"/sales/api/shifts/{opened['id']}/z/", **auth(phone)).json()["provisional"] is True


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_up_the_rate_limit_counts_in_redis(client: Client, fair: dict[str, Any], settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "gie-test-till-server",
        }
    }
    settings.GIE_SALES_SYNC_RATE_PER_MINUTE = 2
    phone = with_token(fair["device"])
    cache.delete(f"sales:till:{phone.pk}")
    try:
        statuses = [client.get("/sales/api/events/", **auth(phone)).status_code for _ in range(3)]
    finally:
        cache.delete(f"sales:till:{phone.pk}")
    assert statuses == [200, 200, 429]
