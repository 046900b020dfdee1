"""What the till's browser tests and its bench share: a fair open today with a seller who can log in, opening the
till on a phone-sized page, and ringing a ticket through the screens as a seller does."""

import importlib
import time
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from sales.models import Event, Ticket
from tests.browser.kit import PASSWORD, login

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
READY = "() => window.__till && window.__till.ready"
#: ready, controlled by the service worker, this page and the pictures cached: safe to go offline
OFFLINE_READY = "() => window.__till && window.__till.cached && navigator.serviceWorker.controller !== null"


def vat_rates_ensure() -> None:
    """The VAT table comes from data migrations, which a transactional test's flush empties: load it again."""
    importlib.import_module("invoices.migrations.0002_vat_rates").load(apps, None)
    importlib.import_module("invoices.migrations.0004_vat_rates_2026").apply(apps, None)


def fair_today(fair: dict[str, Any]) -> dict[str, Any]:
    """The conftest's fair, moved to span today (the server holds tickets sold outside an event's dates), with a
    seller who logs in with the browser tests' password."""
    vat_rates_ensure()
    today = timezone.localdate()
    Event.objects.filter(pk=fair["event"].pk).update(starts_on=today - timedelta(days=1), ends_on=today + timedelta(1))
    seller = fair["seller"]
    seller.set_password(PASSWORD)
    seller.save(update_fields=["password"])
    return fair


def open_till(context: BrowserContext, base: str, slug: str, *, username: str = "imane", log_in: bool = True) -> Page:
    page = context.new_page()
    if log_in:
        login(page, base, username)
    page.goto(f"{base}/sales/till/{slug}/")
    page.wait_for_function(READY)
    return page


def tile(page: Page, product: Any) -> Any:
    return page.locator(f".tile[data-product='{product.pk}']")


def open_shift(page: Page, float_text: str) -> None:
    for key in float_text:
        page.locator(f".keys [data-key='{key}']").click()
    page.locator(".keypad .ok").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "sell")


def type_amount(page: Page, text: str) -> None:
    for key in text:
        page.locator(f".keys [data-key='{key}']").click()


def pending(page: Page) -> int:
    return int(page.locator("#sync-badge").get_attribute("data-pending") or "-1")


def server_tickets(event: Any) -> int:
    return Ticket.objects.filter(event=event).count()


def close_quietly(context: BrowserContext) -> None:
    """Close a till's browser once its requests are done: the till syncs on a timer, and a request still running in
    the live server while the test database is flushed fails the teardown on SQLite ("database table is locked").
    Leaving the till stops its timers; the pause lets a request already sent finish on the server."""
    for page in context.pages:
        page.goto("about:blank")
    time.sleep(0.5)
    context.close()
