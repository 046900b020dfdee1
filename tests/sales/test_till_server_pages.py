"""The till's server pages in a session: registering a phone (its token shown once, stored hashed; sellers and
writing staff only) and the printable Z report (seller of the event or staff; provisional said in words)."""

import hashlib
import uuid
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.roles import Role
from sales.models import Device
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.sales.conftest import at
from tests.sales.till_server_support import batch, empty_cache, phone, shift, sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
__all__ = ["empty_cache", "phone"]  # fixtures


# --- registration --------------------------------------------------------------------------------------------


def test_a_seller_registers_a_phone_and_its_token_works_once_hashed(client: Client, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    answer = client.post("/sales/till/device/", {"name": "  Redmi   9 "}, content_type="application/json")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    body = answer.json()
    device = Device.objects.get(pk=body["device"])
    assert device.user == fair["seller"]
    assert device.name == "Redmi 9"
    assert len(body["token"]) >= 43  # token_urlsafe(32): 32 bytes = 256 bits, 43 characters
    assert device.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in device.token_hash
    anonymous = Client()
    events = anonymous.get("/sales/api/events/", HTTP_AUTHORIZATION=f"Device {device.pk}:{body['token']}")
    assert events.status_code == 200
    assert [e["slug"] for e in events.json()["events"]] == ["foire-tanger-2026"]


@pytest.mark.parametrize("role", [Role.COOP_REPRESENTATIVE, Role.AUDITOR])
def test_a_representative_or_auditor_cannot_register_a_phone(client: Client, fair: dict[str, Any], role: str) -> None:
    user = RepresentativeFactory(organization=fair["exempt"]) if role == Role.COOP_REPRESENTATIVE else None
    client.force_login(user or UserFactory(role=role))
    answer = client.post("/sales/till/device/", {"name": "x"}, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["error"] == "Seuls les vendeurs et le personnel du GIE enregistrent un téléphone."
    assert Device.objects.count() == 1  # the fixture's only


def test_registration_refuses_get_anonymous_and_bad_names(client: Client, fair: dict[str, Any]) -> None:
    assert client.post("/sales/till/device/", {"name": "x"}).status_code == 302  # to the login page
    client.force_login(fair["seller"])
    assert client.get("/sales/till/device/").status_code == 405
    for body in ('{"name": 5}', "[1]", "{", '{"name": "' + "x" * 81 + '"}'):
        answer = client.post("/sales/till/device/", body, content_type="application/json")
        assert answer.status_code == 400, body
    assert client.post("/sales/till/device/", {"name": "Nokia"}).status_code == 200  # a plain form works too
    assert Device.objects.count() == 2


# --- the printable Z page ------------------------------------------------------------------------------------


def _closed_shift(client: Client, fair: dict[str, Any], phone: Device, offline: bool = False) -> dict[str, Any]:
    opened = shift(fair["event"], opening_float="200.00")
    tickets = batch(fair, opened["id"])
    closed = {
        **opened,
        "closed_at": at(21, 19),
        "counted_cash": "355.00",
        "closed_offline": offline,
        "device_totals": {"cash": "160.00", "card": "175.00", "mobile": "450.00"},
        "device_ticket_count": 3,
    }
    sync(client, phone, {"shifts": [closed], "tickets": tickets[: 2 if offline else 3]})
    return opened


def test_the_z_page_for_the_seller_and_staff_only(client: Client, fair: dict[str, Any], phone: Device) -> None:
    opened = _closed_shift(client, fair, phone)
    url = f"/sales/till/shifts/{opened['id']}/z/"
    client.force_login(fair["seller"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Z n° 1" in html
    assert "PROVISOIRE" not in html
    # expected 200.00 + 160.00 = 360.00, counted 355.00: −5,00; total of the three methods 785,00
    assert "360,00" in html
    assert "-5,00" in html
    assert "785,00" in html
    client.force_login(UserFactory(role=Role.GIE_ACCOUNTANT))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=Role.FAIR_SELLER))
    assert client.get(url).status_code == 404
    assert client.get(f"/sales/till/shifts/{uuid.uuid4()}/z/").status_code == 404
    client.force_login(RepresentativeFactory(organization=fair["exempt"]))
    assert client.get(url).status_code == 403


def test_the_z_page_says_provisional_and_speaks_arabic(client: Client, fair: dict[str, Any], phone: Device) -> None:
    opened = _closed_shift(client, fair, phone, offline=True)
    client.force_login(fair["seller"])
    html = client.get(f"/sales/till/shifts/{opened['id']}/z/").content.decode()
    assert "PROVISOIRE" in html
    assert "Tickets du téléphone pas encore arrivés : 1" in html  # 3 counted, 2 synced
    client.cookies["django_language"] = "ar"
    html = client.get(f"/sales/till/shifts/{opened['id']}/z/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
    assert "المعرض الجهوي بطنجة 2026" in html
