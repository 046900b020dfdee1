"""A phone sellers share, in Debian's chromium (see test_till.py): logging out of the till keeps the tickets not yet
sent (they belong to the device and leave with the next till opened here) and forgets the seller's offline pages,
so that offline, the next person never sees the previous seller's till."""

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, Page, expect

from gie_erp.core.roles import Role
from sales.models import Device, Ticket
from tests.browser.kit import PASSWORD, login, shot
from tests.browser.test_till import ring
from tests.browser.till_kit import OFFLINE_READY, PHONE, READY, fair_today, open_shift, open_till
from tests.factories.members import UserFactory
from tests.sales.conftest import fair, world  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

KEPT_PAGES = """async () => {
  const names = await caches.keys();
  if (!names.includes("till-pages-v2")) return [];
  const keys = await (await caches.open("till-pages-v2")).keys();
  return keys.map((r) => new URL(r.url).pathname + new URL(r.url).search);
}"""
MARKED_USER = """async () => {
  const hit = await (await caches.open("till-session")).match("/sales/till/__till_user__");
  return hit ? await hit.text() : null;
}"""
OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("gie-till");
  open.onsuccess = () => {
    const tx = open.result.transaction(["outbox", "meta"], "readonly");
    const out = {};
    tx.objectStore("outbox").getAll().onsuccess = (e) => { out.outbox = e.target.result.map((o) => o.device); };
    tx.objectStore("meta").getAllKeys().onsuccess = (e) => { out.keys = e.target.result.map(String); };
    tx.oncomplete = () => { open.result.close(); resolve(out); };
  };
  open.onerror = () => reject(open.error);
})"""


def second_seller(f: dict[str, Any], role: str = Role.FAIR_SELLER) -> Any:
    karim = UserFactory(username="karim", role=role, password=PASSWORD, first_name="Karim")
    f["event"].sellers.add(karim)
    return karim


def sell_one_unsent(page: Page, f: dict[str, Any]) -> None:
    """A rug paid by mobile money, its sync refused by the network: one ticket waits on the phone."""
    page.context.route("**/sales/api/sync/", lambda route: route.abort())
    ring(page, [(f["products"]["tapis"], 1)], [("mobile", None)])
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "1")


def test_logging_out_keeps_unsent_tickets_and_forgets_the_sellers_pages(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    imane, karim = f["seller"], second_seller(f)
    slug = f["event"].slug
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, slug)
    open_shift(page, "100")
    page.wait_for_function(OFFLINE_READY)
    assert page.evaluate(KEPT_PAGES) == [f"/sales/till/{slug}/?till-user={imane.pk}"]
    assert page.evaluate(MARKED_USER) == str(imane.pk)
    sell_one_unsent(page, f)

    # logging out: the ticket cannot be sent; the seller is told, and may stay
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.logout").click()
    warning = page.locator(".logout-warning")
    expect(warning).to_contain_text(
        "\u20661\u2069 ticket de ce téléphone n'est pas encore envoyé : il reste sur le téléphone"
    )  # isolated
    shot(page, "till-logout-warning-fr")
    page.locator(".logout-stay").click()
    expect(warning).to_have_count(0)
    expect(page.locator("body")).to_have_attribute("data-screen", "sell")

    # …or keep it for the device and leave: the server session ends, the seller's pages are forgotten, the ticket kept
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.logout").click()
    page.locator(".logout-keep").click()
    page.wait_for_url("**/accounts/login/")
    assert page.evaluate(KEPT_PAGES) == []
    assert page.evaluate(MARKED_USER) is None
    kept = page.evaluate(OUTBOX)
    imane_device = Device.objects.get(pk=kept["outbox"][0])
    assert kept["outbox"] == [str(imane_device.pk)]
    assert imane_device.user == imane
    assert f"device:{imane.pk}" in kept["keys"]  # its credentials, to send it
    assert page.request.get(f"{live_server.url}/sales/till/{slug}/", max_redirects=0).status == 302  # logged out

    # offline, the next person asks for the till: a page saying to connect, never the previous seller's till
    context.set_offline(True)
    page.goto(f"{live_server.url}/sales/till/{slug}/")
    expect(page.locator("body")).to_have_attribute("data-till-offline", "1")
    assert "imane" not in page.content()
    assert f["event"].name_fr not in page.content()
    shot(page, "till-offline-logged-out")

    # the next seller logs in online: the previous seller's ticket leaves with its own device's credentials
    context.set_offline(False)
    context.unroute("**/sales/api/sync/")
    login(page, live_server.url, "karim")
    page.goto(f"{live_server.url}/sales/till/{slug}/")
    page.wait_for_function(READY)
    expect(page.locator(".bar .title small")).to_have_text("Karim")
    for _ in range(100):
        if Ticket.objects.exists():
            break
        page.wait_for_timeout(100)
    assert Ticket.objects.get().device_id == imane_device.pk
    # and it is not in the new seller's list of today's tickets
    open_shift(page, "50")
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.history").click()
    expect(page.locator(".history")).to_be_visible()
    expect(page.locator(".ticket-row")).to_have_count(0)
    assert karim.pk != imane.pk
    context.close()


def test_offline_the_service_worker_serves_only_the_logged_in_users_own_pages(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    """Another seller logs in without the till's log out (the session simply changes, e.g. logged out from another
    page of the site): offline, the first seller's till is not shown to the second."""
    f = fair_today(fair)
    second_seller(f, Role.GIE_ACCOUNTANT)  # an accountant lands on the dashboard, not on a till page
    slug = f["event"].slug
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, slug)
    page.wait_for_function(OFFLINE_READY)
    login(page, live_server.url, "karim")
    # offline at once: the phone still marks imane (no till page was seen since), but her kept till sees that another
    # session began and does not open (each login gets a new CSRF secret); it forgets the pages it kept
    context.set_offline(True)
    page.goto(f"{live_server.url}/sales/till/{slug}/")
    expect(page.locator(".fatal")).to_contain_text("Quelqu'un s'est connecté sur ce téléphone depuis")
    expect(page.locator("#bar")).to_be_empty()
    assert page.evaluate(KEPT_PAGES) == []
    context.set_offline(False)
    page.goto(f"{live_server.url}/sales/till/")  # karim's list of events, online: karim is now this phone's user
    expect(page.locator(".till-event")).to_have_count(1)
    context.set_offline(True)
    page.goto(f"{live_server.url}/sales/till/{slug}/")
    expect(page.locator("body")).to_have_attribute("data-till-offline", "1")
    assert "imane" not in page.content()
    page.goto(f"{live_server.url}/sales/till/")
    expect(page.locator(".till-event")).to_have_count(1)  # karim's own copy
    assert "Karim" in page.content()
    assert "imane" not in page.content()
    context.close()


def test_the_log_out_button_of_the_list_of_events_keeps_unsent_tickets_too(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    slug = f["event"].slug
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, slug)
    open_shift(page, "100")
    page.wait_for_function(OFFLINE_READY)
    sell_one_unsent(page, f)
    page.goto(f"{live_server.url}/sales/till/")
    messages: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_timeout(500)
    assert messages
    assert messages[0].startswith("Des tickets de ce téléphone ne sont pas encore envoyés.")
    assert page.url.endswith("/sales/till/")  # stayed
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/")
    assert page.evaluate(KEPT_PAGES) == []
    assert len(page.evaluate(OUTBOX)["outbox"]) == 1
    context.close()
