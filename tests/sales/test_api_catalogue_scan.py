"""What the till needs from the catalogue to sell by weight and by barcode: each product's unit (kg and litre are
weighed on the phone, the others counted whole) and the EAN-13 printed on its label."""

from typing import Any

import pytest
from django.test import Client

from sales.catalogue import is_scan_code
from sales.models import Device
from tests.sales.till_server_support import auth, empty_cache, phone  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def test_the_catalogue_gives_each_products_unit_and_scan_code(
    client: Client,
    fair: dict[str, Any],
    phone: Device,  # noqa: F811
) -> None:
    body = client.get("/sales/api/events/foire-tanger-2026/catalogue/", **auth(phone)).json()
    products = {p["code"]: p for p in body["products"]}
    assert {code: p["unit"] for code, p in products.items()} == {
        "huile-1l": "l",
        "miel-250": "pot",
        "amlou-250": "pot",
        "tapis-s": "piece",
    }
    assert {code: p["scan_code"] for code, p in products.items()} == {
        code: fair["products"][key].scan_code
        for key, code in (("huile", "huile-1l"), ("miel", "miel-250"), ("amlou", "amlou-250"), ("tapis", "tapis-s"))
    }
    assert all(is_scan_code(p["scan_code"]) for p in products.values())
