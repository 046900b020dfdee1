"""The sales pages as people see them: the accountant's pages at 1366 px in French, the cooperative portal's sales on
a 390 px phone in Arabic. Nothing overflows the page sideways; screenshots land in /tmp/shots/ to be looked at."""

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from django.apps import apps
from django.conf import settings
from playwright.sync_api import Browser, Page

from invoices.models import VatRate
from members.models import Organization
from sales.consignment import deposits_record
from sales.settlements import settle
from sales.summaries import summarize
from tests.browser.kit import PASSWORD, login
from tests.browser.till_kit import vat_rates_ensure
from tests.factories.members import UserFactory
from tests.invoices.conftest import world  # noqa: F401 (the fixture the sales world builds on)
from tests.sales.conftest import TODAY, D, _fair
from tests.sales.sold import sell

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def reference_data_ensure() -> None:
    """The VAT table and the posting rules come from data migrations, which a transactional test's flush empties:
    load them again (each loader writes only what is missing)."""
    if not VatRate.objects.exists():
        vat_rates_ensure()
    for name in ("0006_posting_rule_defaults", "0014_consignment_loss_rule"):
        importlib.import_module(f"ledger.migrations.{name}").load(apps, None)


@pytest.fixture
def settled(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811 (the invoices fixture)
    """The fair of tests/sales/sold.py, with a deposit, summarized; coop-miel settled on 30/11/2026."""
    reference_data_ensure()
    fair = _fair(world)
    Organization.objects.filter(pk=fair["tapis"].pk).update(address="Ouezzane")
    sell(fair)
    deposits_record(
        event=fair["event"], organization=fair["registered"],
        quantities={fair["products"]["miel"].pk: D("10"), fair["products"]["amlou"].pk: D("4")},
        on=fair["event"].starts_on, acting_user=None,
    )  # fmt: skip
    summarize(fair["event"], today=TODAY)
    fair["settlement"] = settle(fair["event"], fair["registered"], on=TODAY, today=TODAY)
    fair["accountant"] = UserFactory(username="compta-ui", role="gie_accountant", password=PASSWORD)
    fair["rep"] = UserFactory(username="rep-miel-ui", role="coop_representative", organization=fair["registered"],
                              password=PASSWORD, preferred_language="ar")  # fmt: skip
    return fair


def _look(page: Page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    width, client = page.evaluate(PAGE_WIDTH)
    assert width <= client + 1, f"{name}: the page scrolls sideways ({width} > {client})"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_accountants_pages_in_french(browser: Browser, live_server: Any, settled: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    base = live_server.url
    login(page, base, "compta-ui")
    event, settlement = "foire-tanger-2026", settled["settlement"].pk
    for url, name in (
        ("/sales/events/", "pages-events"),
        (f"/sales/events/{event}/", "pages-event"),
        (f"/sales/events/{event}/edit/", "pages-event-form"),
        (f"/sales/events/{event}/members/coop-miel/", "pages-event-member"),
        ("/sales/reports/", "pages-report-members"),
        (f"/sales/reports/?event={event}&group=product", "pages-report-products"),
        (f"/sales/reports/lines/?event={event}&day=2026-11-22", "pages-lines"),
        (f"/sales/reports/stock/?event={event}", "pages-stock"),
        (f"/sales/events/{event}/settle/", "pages-settle-event"),
        (f"/sales/events/{event}/settle/coop-olive/", "pages-settle-member"),
        ("/sales/settlements/", "pages-settlements"),
        (f"/sales/settlements/{settlement}/", "pages-settlement"),
        ("/sales/channels/", "pages-channels"),
    ):
        _look(page, base + url, name)
    # the report's filters by keyboard: choose the grouping, then Enter in a text field submits
    page.goto(base + "/sales/reports/")
    page.select_option("select[name=group]", "day")
    page.press("input[name=product]", "Enter")
    page.wait_for_load_state("networkidle")
    assert "group=day" in page.url
    assert "785,00" in page.inner_text("#report").replace("\u202f", " ")
    context.close()


def test_the_portal_on_a_phone_in_arabic(browser: Browser, live_server: Any, settled: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-MA", is_mobile=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page = context.new_page()
    base = live_server.url
    login(page, base, "rep-miel-ui")
    _look(page, base + "/portal/sales/", "portal-sales-ar")
    assert page.get_attribute("html", "dir") == "rtl"
    _look(page, base + "/portal/sales/foire-tanger-2026/", "portal-sales-event-ar")
    _look(page, base + f"/portal/sales/settlements/{settled['settlement'].pk}/", "portal-settlement-ar")
    text = page.inner_text("main").replace("\u202f", " ")
    assert "365,20" in text
    assert "49,80" in text
    context.close()
