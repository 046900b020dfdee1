"""What a new user sees on the first day: the cooperative portal on a phone in Arabic, the dashboard's lock squares.

Playwright drives Debian's chromium against the live test server; screenshots land in artifacts/screenshots/.
"""

import os
from datetime import date
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gie_erp.statements.mapping import DEFAULT_MAPPING
from ledger.books import book_ensure
from ledger.models import Journal
from ledger.services import journal_entry_post, period_lock
from tests.browser.kit import PASSWORD, login, shot
from tests.factories.members import UserFactory
from tests.ledger.conftest import cr, dr, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Per card: its box, the boxes of the amount and currency, how many lines the amount takes, overflow of the value.
CARD_GEOMETRY = """() => [...document.querySelectorAll('.portal .card')].map(card => {
  const box = card.getBoundingClientRect();
  const value = card.querySelector('.value');
  const amount = value.querySelector('.amount');
  const currency = value.querySelector('.cur');
  const rect = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
    bottom: r.bottom}; };
  return {id: card.id, card: rect(card), amount: rect(amount), currency: rect(currency), text: amount.textContent,
    amountLines: amount.getClientRects().length, currencyLines: currency.getClientRects().length,
    overflow: value.scrollWidth - value.clientWidth};
})"""
OPERATION_GEOMETRY = """() => [...document.querySelectorAll('.operations li')].map(li => {
  const amount = li.querySelector('.amount');
  const r = amount.getBoundingClientRect();
  return {kind: li.className, lines: amount.getClientRects().length, left: r.left, right: r.right,
    text: amount.textContent, arrow: (li.querySelector('svg.pict') || {getAttribute: () => ''}).getAttribute('class')};
})"""
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def big_month(coop_a: Any, gie: Any) -> Any:
    """March 2026 with amounts in millions (the opening is -1 234 567,89), a GIE settlement and many small sales."""
    book = book_ensure(organization=coop_a)
    book_ensure(organization=gie)
    m = lambda day: date(2026, 3, day)  # noqa: E731

    def entry(day: date, key: str, description: str, *lines: Any) -> None:
        journal_entry_post(book=book, posted_on=day, journal=Journal.MISC, lines=lines, description=description,
                           source_ref=f"PJ-{key}", idempotency_key=key, today=date(2026, 11, 22))  # fmt: skip

    entry(date(2026, 2, 10), "b0", "Achat d'argile (février)", dr("6121", "1234567.89"), cr("5141", "1234567.89"))
    entry(m(2), "b1", "Vente au comptant, souk de Chefchaouen", dr("5161", "987654.32"), cr("7121", "987654.32"))
    entry(m(5), "b2", "Achat d'argile et d'émail", dr("6121", "1111111.11"), cr("5141", "1111111.11"))
    entry(m(6), "b3", "Apport des coopératrices au capital", dr("5141", "2222222.22"), cr("1111", "2222222.22"))
    entry(
        m(15), "b4", "Foire de Tétouan, ventes encaissées par le GIE", dr("3488", "6000.00", gie), cr("7121", "6000.00")
    )
    entry(m(25), "b5", "Règlement du GIE (foire de Tétouan)", dr("5141", "5280.00"), cr("3488", "5280.00", gie))
    for n in range(10):
        entry(
            m(10 + n), f"s{n}", f"Vente au comptant n° {n + 1}", dr("5161", f"{12 + n}.50"), cr("7121", f"{12 + n}.50")
        )
    return book


@pytest.fixture
def representative(coop_a: Any) -> Any:
    return UserFactory(
        username="rep-a", role="coop_representative", organization=coop_a, password=PASSWORD, preferred_language="ar"
    )


def _check_cards_fit(page: Page) -> list[dict[str, Any]]:
    cards = page.evaluate(CARD_GEOMETRY)
    assert {c["id"] for c in cards} >= {"opening", "money-in", "money-out", "money-other", "money-left"}
    for c in cards:
        for part in ("amount", "currency"):
            assert c["card"]["left"] <= c[part]["left"], (c["id"], part, c)
            assert c[part]["right"] <= c["card"]["right"], (c["id"], part, c)
        assert c["overflow"] <= 0, c
        assert c["amountLines"] == 1, c  # the sign never wraps away from its digits
        assert c["currencyLines"] == 1, c
        # the currency sits on the amount's line
        assert c["currency"]["top"] < c["amount"]["bottom"], c
        assert c["currency"]["bottom"] > c["amount"]["top"], c
    return cards


def test_portal_on_a_390px_phone_in_arabic(
    browser: Browser, live_server: Any, big_month: Any, representative: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server.url, "rep-a")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "portal-ar-390")
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width  # no sideways scrolling
    expect(page.locator("#opening .value")).to_contain_text("-1\u202f234\u202f567,89")
    expect(page.locator("#opening .value")).to_contain_text("درهم")
    expect(page.locator("#money-out .value")).to_contain_text("-\u202f1\u202f111\u202f111,11")
    cards = _check_cards_fit(page)
    assert next(c for c in cards if c["id"] == "opening")["text"].startswith("-1")
    # one arrow language, the printed statement's: into the tray = money in, out of the tray = money out
    assert page.locator("#money-in svg.pict.in").count() == 1
    assert page.locator("#money-out svg.pict.out").count() == 1
    body = page.locator("body").inner_text()
    assert "▲" not in body
    assert "▼" not in body
    # the month's operations, in Arabic words, each amount on one line inside the screen
    expect(page.locator(".operations")).to_contain_text(DEFAULT_MAPPING.row("sales").label_ar)
    expect(page.locator(".operations")).to_contain_text(DEFAULT_MAPPING.row("purchases").label_ar)
    expect(page.locator(".operations")).to_contain_text("تحويل (المجموع لا يتغير)")
    expect(page.locator(".operations")).to_contain_text("عمليات أخرى")
    operations = page.evaluate(OPERATION_GEOMETRY)
    assert len(operations) >= 5
    for op in operations:
        assert op["lines"] == 1, op
        assert op["left"] >= 0, op
        assert op["right"] <= client_width, op
        if op["kind"] in {"op in", "op out"}:
            assert op["arrow"] == f"pict {op['kind'][3:]}", op
    # the statement button downloads the PDF
    button = page.locator("a.download")
    expect(button).to_have_attribute("download", "coop-a-2026-03.pdf")
    with page.expect_download(timeout=120_000) as download:  # the PDF is rendered on the fly
        button.click()
    assert download.value.suggested_filename == "coop-a-2026-03.pdf"
    context.close()


def test_portal_at_1366px_in_french(browser: Browser, live_server: Any, big_month: Any, representative: Any) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "url": live_server.url}])
    page = context.new_page()
    login(page, live_server.url, "rep-a")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#money-in .value")).to_contain_text("+\u202f993\u202f")
    shot(page, "portal-fr-1366")
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width
    _check_cards_fit(page)
    expect(page.locator(".operations")).to_contain_text(DEFAULT_MAPPING.row("sales").label_fr)
    expect(page.locator(".operations")).to_contain_text("Transfert (le total ne change pas)")
    for op in page.evaluate(OPERATION_GEOMETRY):
        assert op["lines"] == 1, op
    context.close()


def test_dashboard_lock_squares_and_gie_row(browser: Browser, live_server: Any, coop_a: Any, gie: Any) -> None:
    accountant = UserFactory(username="compta", role="gie_accountant", password=PASSWORD)
    book, gie_book = book_ensure(organization=coop_a), book_ensure(organization=gie)
    post(gie_book, date(2026, 3, 15), "g1", dr("3463", "720.00", coop_a), cr("71272", "720.00", coop_a))
    year = timezone.localdate().year
    for month in (1, 2, 3, 4):
        period_lock(book=book, year=year, month=month, acting_user=accountant)
    for language, marks in (("fr", list("JFMAMJJASOND")), ("ar", [str(m) for m in range(1, 13)])):
        context = browser.new_context(viewport={"width": 1366, "height": 700})
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        login(page, live_server.url, "compta")
        row = page.locator("tr[data-slug=coop-a]")
        assert row.locator(".locks span").all_inner_texts() == marks
        assert row.locator(".locks span.locked").count() == 4
        expect(page.locator("#locks-legend")).to_be_visible()
        gie_row = page.locator("tr[data-slug=gie] td")
        assert [gie_row.nth(4).inner_text(), gie_row.nth(5).inner_text()] == ["—", "—"]
        shot(page, f"dashboard-locks-{language}")
        context.close()
