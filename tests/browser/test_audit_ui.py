"""The top menu (sections only, the audit log in it) and the audit page, at 1366 px and on a 390 px phone.

Playwright driving Debian's chromium against the live test server; screenshots land in artifacts/screenshots/.
"""

import os
from datetime import date
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, Page, ViewportSize, expect

from gie_erp.core.audit import audit_record
from ledger.books import book_ensure
from ledger.models import Entry
from ledger.services import journal_entry_reverse, period_lock
from members.models import Organization
from tests.browser.kit import PASSWORD, login, shot
from tests.factories.members import UserFactory
from tests.ledger.conftest import TODAY, cr, dr, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def people(coop_a: Any, gie: Any) -> dict[str, Any]:
    coop_a.vat_legal_reference = "Exonérée de TVA — CGI art. 91-IV-1° (coopératives, CA < 10 MDH)"
    coop_a.save()
    book = book_ensure(organization=coop_a)
    book_ensure(organization=gie)
    users = {}
    for role in ("gie_admin", "gie_accountant", "auditor"):
        users[role] = UserFactory(
            username=role.replace("_", "-"),
            role=role,
            password=PASSWORD,
            is_staff=role == "gie_admin",
            first_name={"gie_admin": "Nadia", "gie_accountant": "Karim", "auditor": "Samira"}[role],
            last_name="Benali",
        )
    users["coop_representative"] = UserFactory(
        username="rep-a", role="coop_representative", organization=coop_a, password=PASSWORD, preferred_language="ar"
    )
    accountant = users["gie_accountant"]
    ref = post(book, date(2026, 3, 2), "seed-1", dr("5161", "1250.50"), cr("7121", "1250.50"))
    journal_entry_reverse(
        entry=Entry.objects.get(pk=ref.je_id),
        reversed_on=date(2026, 3, 9),
        acting_user=accountant,
        reason="montant erroné",
        today=TODAY,
    )
    period_lock(book=book, year=2026, month=3, acting_user=accountant)
    audit_record(actor=users["gie_admin"], event="user.created", target=accountant, data={"role": "gie_accountant"})
    return {"book": book, "users": users, "coop_a": coop_a}


def no_sideways_scroll(page: Page, selector: str = "") -> None:
    """The page (or one element of it) is no wider than the window."""
    element = f"document.querySelector({selector!r})" if selector else "document.documentElement"
    width = page.evaluate(f"{element}.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"{selector or 'page'} is {width}px wide"  # type: ignore[index]


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "1366"), (PHONE, "390")])
def test_the_top_menu_holds_sections_and_the_audit_log(
    browser: Browser, live_server: Any, people: dict[str, Any], viewport: ViewportSize, label: str
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    login(page, live_server.url, "gie-admin")
    menu = page.locator("nav.nav")
    expect(menu.get_by_role("link", name="Journal d'audit")).to_be_visible()
    expect(menu.get_by_role("link", name="Importer", exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name="Membres")).to_be_visible()
    no_sideways_scroll(page, ".topbar")  # (the dashboard's own table may scroll on a phone)
    shot(page, f"menu-admin-{label}")
    page.goto(f"{live_server.url}/members/")
    expect(page.locator("#member-import")).to_have_text("Importer des membres ou des coopérateurs")
    no_sideways_scroll(page, ".topbar")
    shot(page, f"members-list-{label}")
    page.click("#member-import")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/members/import/")
    context.close()


def test_the_auditor_filters_the_audit_log(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, live_server.url, "auditor")
    page.locator("nav.nav").get_by_role("link", name="Journal d'audit").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Journal d'audit")
    expect(page.locator("#audit tbody tr")).to_have_count(5)  # 2 books opened, reversal, lock, user
    shot(page, "audit-1366")
    page.select_option("select[name=event]", "ledger.period_locked")
    page.select_option("select[name=book]", "coop-a")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#audit tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Période verrouillée")
    expect(rows.first).to_contain_text("Karim Benali")
    expect(rows.first).to_contain_text("Coopérative Alpha")
    expect(rows.first).to_contain_text("2026-03")
    assert "event=ledger.period_locked" in page.url
    assert "book=coop-a" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "journal-audit.csv"
    shot(page, "audit-filtered-1366")
    page.goto(f"{live_server.url}/audit/?event=ledger.entry_reversed")
    page.locator("#audit tbody tr a", has_text="Écriture").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("Écriture")
    context.close()


def test_the_audit_page_on_a_phone_and_in_arabic(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server.url, "gie-accountant")
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("#audit tbody tr")).to_have_count(5)
    no_sideways_scroll(page)  # the table scrolls inside its own box
    shot(page, "audit-390")
    page.locator("form.lang button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    no_sideways_scroll(page)
    shot(page, "audit-390-ar")
    context.close()


def test_member_page_links_and_vat(browser: Browser, live_server: Any, people: dict[str, Any]) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, live_server.url, "gie-accountant")
    page.goto(f"{live_server.url}/members/coop-a/")
    expect(page.locator("#vat-status")).to_have_text("Exonérée — CGI art. 91-IV-1° (coopératives, CA < 10 MDH)")
    shot(page, "member-detail-1366")
    page.click("#member-book")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/books/coop-a/")
    context.close()
    rep = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(rep, live_server.url, "rep-a")
    rep.goto(f"{live_server.url}/members/coop-a/")
    expect(rep.locator("#member-book")).to_have_count(0)
    expect(rep.locator("#member-audit")).to_have_count(0)
    expect(rep.locator("#member-cooperators")).to_be_visible()
    assert Organization.objects.filter(slug="coop-a").exists()
    shot(rep, "member-detail-rep-390")
    rep.context.close()
