"""What the till-server tests share: a device with a real token, its header, the sync call, a batch of tickets, a
shift payload, and an empty cache (the rate limit's counters outlive a test's database)."""

import json
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from sales.devices import token_hash
from sales.models import Device
from tests.sales.conftest import ticket

TOKEN = "t0k3n-of-the-phone-under-test-0123456789abcdefg"
SYNC = "/sales/api/sync/"


def auth(device: Device, token: str = TOKEN) -> dict[str, Any]:
    """The header a registered phone sends (Django's test client takes it as ``HTTP_AUTHORIZATION``)."""
    return {"HTTP_AUTHORIZATION": f"Device {device.pk}:{token}"}


def with_token(device: Device, token: str = TOKEN) -> Device:
    Device.objects.filter(pk=device.pk).update(token_hash=token_hash(token))
    device.token_hash = token_hash(token)
    return device


@pytest.fixture
def empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone(fair: dict[str, Any]) -> Device:
    """The fair's registered phone, with a token the tests know."""
    return with_token(fair["device"])


def sync(client: Client, device: Device, body: Any) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(SYNC, data=data, content_type="application/json", **auth(device))


def batch(fair: dict[str, Any], shift_id: str | None = None) -> list[dict[str, Any]]:
    """Three tickets: 2 oils 160.00 cash; honey + amlou 175.00 card; a rug 450.00 mobile (785.00)."""
    p, event = fair["products"], fair["event"]
    return [
        ticket(event, [(p["huile"], "2", "80.00")], [("cash", "160.00", "200.00")], sequence=1, shift=shift_id),
        ticket(event, [(p["miel"], "1", "120.00"), (p["amlou"], "1", "55.00")], [("card", "175.00")], sequence=2,
               shift=shift_id),
        ticket(event, [(p["tapis"], "1", "450.00")], [("mobile", "450.00")], sequence=3, shift=shift_id),
    ]  # fmt: skip


def shift(event: Any, **kw: Any) -> dict[str, Any]:
    """A shift payload as the till sends it: opened, and closed when ``closed_at`` is given."""
    payload: dict[str, Any] = {
        "id": str(kw.pop("id", uuid.uuid4())),
        "event": event.slug,
        "opened_at": kw.pop("opened_at", "2026-11-21T09:00:00+01:00"),
        "opening_float": kw.pop("opening_float", "200.00"),
        "closed_at": None,
        "counted_cash": None,
        "device_totals": None,
        "device_ticket_count": None,
        "closed_offline": False,
    }
    payload.update(kw)
    return payload
