"""The till after the second user pass, at 390 px in Debian's chromium (see test_till.py): a refund's receipt in
Arabic holds a big negative amount and long names inside its card, a French-only name reads left to right in the
Arabic tiles, every keypad's erase key has a name, the basket not yet paid survives a reload, and the till opens in
the language of the phone (its language cookie), not in a choice an earlier user left on the phone."""

import itertools
import os
from decimal import Decimal
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread


from playwright.sync_api import Browser, expect

from members.models import Organization
from sales.models import Product, Ticket
from tests.browser.kit import shot
from tests.browser.test_till import ring, take
from tests.browser.till_kit import PHONE, READY, close_quietly, fair_today, open_shift, open_till, tile
from tests.sales.conftest import fair, world  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

#: every part of the receipt drawn inside its white card (a box sticking out by more than half a pixel)
RECEIPT_OVERFLOW = """() => {
  const card = document.querySelector('.paper').getBoundingClientRect(), out = [];
  for (const el of document.querySelectorAll('.paper .receipt *')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.left < card.left - 0.5 || r.right > card.right + 0.5)) out.push(el.className || el.tagName);
  }
  return out;
}"""

#: true when the first character of an element's text is drawn left of its last (a left-to-right run)
READS_LEFT_TO_RIGHT = """(el) => {
  const node = el.firstChild, range = document.createRange();
  range.setStart(node, 0); range.setEnd(node, 1);
  const first = range.getBoundingClientRect();
  range.setStart(node, node.length - 1); range.setEnd(node, node.length);
  return first.left < range.getBoundingClientRect().left;
}"""


def test_a_refund_receipt_in_arabic_holds_a_big_negative_amount_and_long_names(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    miel = f["products"]["miel"]
    Product.objects.filter(pk=miel.pk).update(price=Decimal("99999.99"), name_ar="الصابون البلدي بزيت الزيتون")
    Organization.objects.filter(pk=miel.organization_id).update(legal_name_ar="تعاونية الزيتون شفشاون لزيت الزيتون")
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    page.locator("button.lang").click()
    open_shift(page, "100")
    ring(page, [(miel, 2)], [("card", None)])
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.history").click()
    page.locator(".ticket-row[data-seq='1']").click()
    page.locator(".big.warn").click()
    page.locator(".confirm-refund").click()
    amount = page.locator(f".receipt tr[data-product='{miel.pk}'] td.num bdi.amount")
    expect(amount).to_have_text("\u2212199\u202f999,98")
    assert page.evaluate(RECEIPT_OVERFLOW) == []
    card = page.locator(".paper").bounding_box()
    box = amount.bounding_box()
    assert card
    assert box
    assert card["x"] <= box["x"]
    assert box["x"] + box["width"] <= card["x"] + card["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "till-refund-big-ar")
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    assert Ticket.objects.filter(refund_of__isnull=False).get().total == Decimal("-199999.98")
    close_quietly(context)


@pytest.mark.parametrize("name", ["=HYPERLINK(1;2)", 'Huile QA =HYPERLINK("http://x")', "12 pots (bio)"])
def test_a_french_only_name_reads_left_to_right_in_the_arabic_tiles(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
    name: str,
) -> None:
    f = fair_today(fair)
    amlou = f["products"]["amlou"]
    Product.objects.filter(pk=amlou.pk).update(name_fr=name, name_ar="")
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    page.locator("button.lang").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    open_shift(page, "100")
    block = tile(page, amlou).locator(".name")
    text = block.locator("bdi")
    expect(text).to_have_text(name)
    # the name's direction is its language's, never guessed from a first character that is punctuation or a digit
    assert text.get_attribute("dir") == "ltr"
    assert text.get_attribute("lang") == "fr"
    assert block.get_attribute("dir") == "ltr"
    expect(block).to_have_css("direction", "ltr")  # retried: the receipt is drawn again when the sync answers
    assert text.evaluate(READS_LEFT_TO_RIGHT)
    # every character in reading order: each one is right of (or on a line below) the one before
    order = text.evaluate("""(el) => {
      const node = el.firstChild, range = document.createRange(), out = [];
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        if (r.width) out.push([Math.round(r.top), r.left]);
      }
      return out;
    }""")
    assert all(b[0] > a[0] or (b[0] == a[0] and b[1] > a[1]) for a, b in itertools.pairwise(order))
    # an Arabic name stays right to left
    miel = tile(page, f["products"]["miel"]).locator(".name")
    assert miel.get_attribute("dir") == "rtl"
    assert miel.locator("bdi").get_attribute("dir") == "rtl"
    shot(page, "till-french-name-ar")
    close_quietly(context)


def test_every_keypads_erase_key_has_a_name_in_both_languages(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    erase = page.locator(".keys [data-key='back']")
    expect(erase).to_have_attribute("aria-label", "Effacer le dernier chiffre")  # opening the till
    expect(page.get_by_role("button", name="Effacer le dernier chiffre")).to_have_count(1)
    open_shift(page, "100")
    tile(page, f["products"]["huile"]).click()  # sold by the litre: the weighing keypad
    expect(page.locator(".weigh [data-key='back']")).to_have_attribute("aria-label", "Effacer le dernier chiffre")
    page.locator(".weigh [data-key='1']").click()
    page.locator(".weigh .ok").click()
    page.locator(".footer .pay").click()
    page.locator(".methods .m-cash").click()  # the cash keypad
    expect(erase).to_have_attribute("aria-label", "Effacer le dernier chiffre")
    page.locator("button.lang").click()
    page.locator(".footer .pay").click()
    page.locator(".methods .m-cash").click()
    arabic = page.evaluate("window.__till.app.ctx.strings.ar.erase")  # the catalogue's Arabic
    assert arabic
    expect(erase).to_have_attribute("aria-label", arabic)
    assert page.locator(".keys .key:not([data-key='back'])").first.get_attribute("aria-label") is None  # digits
    close_quietly(context)


def test_the_basket_not_yet_paid_survives_a_reload_and_goes_once_paid(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    p = f["products"]
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    open_shift(page, "100")
    take(page, p["miel"], 2)
    take(page, p["huile"], "0,75")  # 0,750 l at 80,00: 60,00
    expect(page.locator(".cartbar .total bdi")).to_have_text("300,00")
    page.reload()
    page.wait_for_function(READY)
    expect(page.locator(".cartbar .total bdi")).to_have_text("300,00")  # 2 × 120,00 + 60,00, kept
    expect(tile(page, p["miel"]).locator(".qty")).to_have_text("2")
    expect(tile(page, p["huile"]).locator(".qty")).to_have_text("0,750")
    # another seller in another tab of the phone does not find it
    assert page.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('till-cart:'))") == [
        f"till-cart:{f['event'].slug}:{f['seller'].pk}"
    ]
    # paid: gone, a reload shows an empty basket
    page.locator(".footer .pay").click()
    page.locator(".methods .m-card").click()
    page.locator(".keypad .ok").click()
    page.locator(".validate").click()
    expect(page.locator(".receipt-total bdi")).to_have_text("300,00")
    page.reload()
    page.wait_for_function(READY)
    expect(page.locator(".cartbar")).to_be_disabled()
    # emptied by hand: gone too
    take(page, p["amlou"], 1)
    page.locator(".cartbar").click()
    page.locator(".panel .actions .big.ghost").click()
    page.reload()
    page.wait_for_function(READY)
    expect(page.locator(".cartbar")).to_be_disabled()
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    assert Ticket.objects.get().total == Decimal("300.00")
    close_quietly(context)


def test_the_till_opens_in_the_phones_language_not_in_an_older_choice(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    context = browser.new_context(**PHONE)
    # an earlier release kept the language for the whole phone: a choice of French an earlier user left there
    context.add_init_script("localStorage.getItem('till-lang') || localStorage.setItem('till-lang', 'fr')")
    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page = open_till(context, live_server.url, f["event"].slug)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".bar .title small")).to_be_visible()
    # the till's own button sets the phone's language for the site: the next page (the list of events) follows
    page.locator("button.lang").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    cookie = next(c for c in context.cookies() if c["name"] == "django_language")
    assert cookie["value"] == "fr"
    assert cookie["path"] == "/"
    page.goto(f"{live_server.url}/sales/till/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{live_server.url}/sales/till/{f['event'].slug}/")
    page.wait_for_function(READY)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    close_quietly(context)


def test_a_seller_who_logs_in_on_an_arabic_page_gets_an_arabic_till(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    assert f["seller"].preferred_language == "fr"  # the default of an account created without a choice
    context = browser.new_context(**PHONE, locale="ar")  # the phone asks for Arabic: the login page is in Arabic
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.close()
    page = open_till(context, live_server.url, f["event"].slug)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    close_quietly(context)


def test_a_french_only_name_reads_left_to_right_on_an_arabic_receipt(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    """Regression (second user pass): the tiles read right but the receipt showed "— Pot à épices (grand)" then
    "l 2": the receipt's name block took the Arabic page's direction."""
    f = fair_today(fair)
    amlou = f["products"]["amlou"]
    name = "Pot à épices (grand) — 2 l"
    Product.objects.filter(pk=amlou.pk).update(name_fr=name, name_ar="")
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    page.locator("button.lang").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    open_shift(page, "100")
    ring(page, [(amlou, 1)], [("card", None)])
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.history").click()
    page.locator(".ticket-row[data-seq='1']").click()
    block = page.locator(f".receipt tr[data-product='{amlou.pk}'] .receipt-name")
    expect(block.locator("bdi")).to_have_text(name)
    assert block.get_attribute("dir") == "ltr"
    expect(block).to_have_css("direction", "ltr")  # retried: the receipt is drawn again when the sync answers
    # every character in reading order (the name may wrap): each one right of, or on a line below, the one before
    order = block.locator("bdi").evaluate("""(el) => {
      const node = el.firstChild, range = document.createRange(), out = [];
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        if (r.width) out.push([Math.round(r.top), r.left]);
      }
      return out;
    }""")
    assert all(b[0] > a[0] or (b[0] == a[0] and b[1] > a[1]) for a, b in itertools.pairwise(order))
    shot(page, "till-french-name-receipt-ar")
    close_quietly(context)
