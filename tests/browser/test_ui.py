"""The app as a person uses it: Playwright driving Debian's chromium against the live test server.

Screenshots land in artifacts/screenshots/ (git-ignored) for a human look.
"""

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, expect

from tests.browser.kit import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_lands_on_its_home(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    expected = {
        "gie_admin": "Tableau de bord",
        "gie_accountant": "Tableau de bord",
        "auditor": "Tableau de bord",
        "fair_seller": "Caisse",  # a seller lands on the till: its open events
        "trainer": "Mes sessions",  # a trainer lands on its training sessions (attendance on the phone)
        "coop_representative": "تعاونية ألفا",  # Arabic first for the representative
    }
    for role, user in people["users"].items():
        context = browser.new_context()
        page = context.new_page()
        login(page, live_server.url, user.username)
        expect(page.locator("h1").first).to_contain_text(expected[role])
        shot(page, f"home-{role}")
        context.close()


def test_accountant_posts_a_balanced_entry_from_the_keyboard(
    browser: Browser, live_server: Any, people: dict[str, Any]
) -> None:
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    login(page, live_server.url, "gie-accountant")
    page.goto(f"{live_server.url}/books/coop-a/trial-balance/?start=2026-03-01&end=2026-03-31")
    expect(page.locator("tr[data-code='5161']")).to_contain_text("1 250,50")
    page.goto(f"{live_server.url}/books/coop-a/entries/new/")
    page.fill("input[name=posted_on]", "2026-03-20")
    page.focus("select[name=journal]")
    page.keyboard.type("Caisse")  # a select picks by typing, as accountants do
    page.focus("input[name=source_ref]")
    page.keyboard.type("TK-0320")
    page.keyboard.press("Tab")  # → description (next field in the layout)
    page.focus("input[name=description]")
    page.keyboard.type("Vente au comptant du 20 mars")
    page.focus("input[name='lines-0-account_code']")
    page.keyboard.type("5161")
    page.keyboard.press("Tab")  # partner
    page.keyboard.press("Tab")  # debit
    page.keyboard.type("749,50")
    page.focus("input[name='lines-1-account_code']")
    page.keyboard.type("7121")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # credit
    page.keyboard.type("749.50")
    expect(page.locator("#difference")).to_have_text("0,00")
    expect(page.locator("#post")).to_be_enabled()
    shot(page, "entry-form-balanced")
    page.keyboard.press("Control+Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("Écriture CA2026-000001 enregistrée.")
    assert "/books/coop-a/entries/" in page.url
    page.goto(f"{live_server.url}/books/coop-a/trial-balance/?start=2026-03-01&end=2026-03-31")
    expect(page.locator("tr[data-code='5161']")).to_contain_text("2 000,00")  # 1 250,50 + 749,50
    shot(page, "trial-balance-after")


def test_an_unbalanced_entry_is_shown_and_refused(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    page = browser.new_context().new_page()
    login(page, live_server.url, "gie-accountant")
    page.goto(f"{live_server.url}/books/coop-a/entries/new/")
    page.fill("input[name=posted_on]", "2026-03-21")
    page.fill("input[name=source_ref]", "X-1")
    page.fill("input[name=description]", "déséquilibrée")
    page.fill("input[name='lines-0-account_code']", "5161")
    page.fill("input[name='lines-0-debit']", "100")
    page.fill("input[name='lines-1-account_code']", "7121")
    page.fill("input[name='lines-1-credit']", "90")
    expect(page.locator("#difference")).to_have_text("10,00")
    expect(page.locator("#post")).to_be_disabled()
    # the server refuses it too, whatever the browser does
    page.evaluate("document.getElementById('post').disabled = false")
    page.click("#post")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("Écriture déséquilibrée : débit 100.00, crédit 90.00.")
    shot(page, "entry-form-unbalanced")


def test_switching_to_arabic_mirrors_the_layout(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    page = browser.new_context().new_page()
    login(page, live_server.url, "gie-accountant")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.click("button[name=language][value=ar]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1").first).to_have_text("لوحة القيادة")
    shot(page, "dashboard-ar")


def test_cooperative_portal_on_a_phone(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server.url, "rep-a")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # the statement's figures: sales 1 250,50 came in; the 5 000 of capital is an "other" movement; 6 250,50 left
    expect(page.locator("#money-in .value")).to_contain_text("1 250,50")
    expect(page.locator("#money-other .value")).to_contain_text("5 000,00")
    expect(page.locator("#money-left .value")).to_contain_text("6 250,50")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    shot(page, "portal-phone")
