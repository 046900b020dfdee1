"""One Chromium per test module for every browser test (Playwright's sync API against the live test server)."""

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, sync_playwright

from ledger.books import book_ensure
from tests.browser.kit import ARGS, CHROMIUM, PASSWORD
from tests.factories.members import UserFactory
from tests.ledger.conftest import cr, dr, post


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def people(coop_a: Any, gie: Any) -> dict[str, Any]:
    book = book_ensure(organization=coop_a)
    book_ensure(organization=gie)
    post(book, date(2026, 3, 2), "seed-1", dr("5141", "5000.00"), cr("1111", "5000.00"))
    post(book, date(2026, 3, 9), "seed-2", dr("5161", "1250.50"), cr("7121", "1250.50"))
    users = {}
    for role in ("gie_admin", "gie_accountant", "auditor", "fair_seller", "trainer"):
        users[role] = UserFactory(
            username=role.replace("_", "-"), role=role, password=PASSWORD, is_staff=role == "gie_admin"
        )
    users["coop_representative"] = UserFactory(
        username="rep-a", role="coop_representative", organization=coop_a, password=PASSWORD, preferred_language="ar"
    )
    return {"book": book, "users": users}
