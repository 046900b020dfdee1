"""The till's selling screens as a seller reads them, in Debian's chromium (see test_till.py): tiles that hold any price
and name at 390 and 360 px in French and Arabic, members told apart at a glance, numbers that read the right way in
Arabic, a Z dated as people write it, products sold by weight (the JavaScript's rounding against sales.maths), and
barcodes (a keyboard scanner, the field, the camera where the browser reads barcodes)."""

import gettext
import os
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, expect

from sales.catalogue import with_check_digit
from sales.maths import line_amount
from sales.models import Product, Ticket, TicketLine
from tests.browser.kit import shot
from tests.browser.test_till import ring, take
from tests.browser.till_kit import PHONE, close_quietly, fair_today, open_shift, open_till, tile, type_amount
from tests.sales.conftest import fair, world  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
PO_AR = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES" / "django.po"

#: nothing wider than its tile: the price's digits, each line of the name, the stand badge
TILE_OVERFLOW = """() => {
  const out = [];
  for (const tile of document.querySelectorAll('.tile')) {
    const box = tile.getBoundingClientRect();
    for (const part of tile.querySelectorAll('.price bdi.amount, .name, .stand')) {
      const r = part.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`${tile.dataset.product} ${part.className}`);
    }
    const name = tile.querySelector('.name'), range = document.createRange(), limit = name.getBoundingClientRect();
    range.selectNodeContents(name);
    for (const line of range.getClientRects()) {
      if (line.left < limit.left - 0.5 || line.right > limit.right + 0.5) out.push(`${tile.dataset.product} name`);
    }
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


def look_alike(f: dict[str, Any]) -> Product:
    """Another member's oil with the same name and pictogram as coop-olive's."""
    Product.objects.filter(pk=f["products"]["huile"].pk).update(pictogram="oil")
    return Product.objects.create(
        organization=f["registered"], code="huile-1l", scan_code=with_check_digit("200000000009"),
        name_fr="Huile d'olive 1 l", name_ar="زيت الزيتون 1 ل", unit=Product.Unit.PIECE, price=Decimal("85.00"),
        vat_code="normal-20", pictogram="oil",
    )  # fmt: skip


@pytest.mark.parametrize("width", [390, 360])
def test_tiles_hold_any_price_and_name_in_both_languages(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
    width: int,
) -> None:
    f = fair_today(fair)
    huge, long = f["products"]["tapis"], f["products"]["miel"]
    Product.objects.filter(pk=huge.pk).update(price=Decimal("999999999.99"))
    Product.objects.filter(pk=long.pk).update(
        name_fr="Miel de thym sauvage des montagnes du Rif récolté à la main, pot en verre de 250 grammes",
        name_ar="عسل الزعتر البري من جبال الريف مجموع باليد في برطمان زجاجي من 250 غراما",
    )
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 844}})
    page = open_till(context, live_server.url, f["event"].slug)
    open_shift(page, "100")
    for language in ("fr", "ar"):
        if language == "ar":
            page.locator("button.lang").click()
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(tile(page, huge).locator(".price bdi")).to_have_text("999\u202f999\u202f999,99")
        assert page.evaluate(TILE_OVERFLOW) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        name = page.evaluate(f"document.querySelector('.tile[data-product=\"{long.pk}\"]').title")
        assert name.startswith("Miel de thym sauvage" if language == "fr" else "عسل الزعتر البري")  # all of it
        assert "250" in name
        shot(page, f"till-tiles-{width}-{language}")
    # the cart and the pay screen hold the biggest amount too
    tile(page, huge).click()
    expect(page.locator(".cartbar .total bdi")).to_have_text("999\u202f999\u202f999,99")
    page.locator(".footer .pay").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator(".pay-total bdi.amount").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    close_quietly(context)


def test_members_are_told_apart_on_tiles_lines_and_receipt(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    olive_oil, other_oil = f["products"]["huile"], look_alike(f)
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    open_shift(page, "100")
    # each tile carries its member's stand in big letters on the member's own colour, under its member's header
    first, second = tile(page, olive_oil), tile(page, other_oil)
    expect(first.locator(".stand")).to_have_text("A1")
    expect(second.locator(".stand")).to_have_text("B2")
    colours = [t.locator(".stand").evaluate("(e) => getComputedStyle(e).backgroundColor") for t in (first, second)]
    assert colours[0] != colours[1]
    stand_size = first.locator(".stand").evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert stand_size >= 20  # big enough for someone who reads little
    member_olive, member_miel = f["exempt"].pk, f["registered"].pk
    expect(page.locator(f".member-group[data-member='{member_olive}'] .member-head .stand")).to_have_text("A1")
    expect(
        page.locator(f".member-group[data-member='{member_olive}'] .tile[data-product='{olive_oil.pk}']")
    ).to_have_count(1)
    expect(
        page.locator(f".member-group[data-member='{member_miel}'] .tile[data-product='{other_oil.pk}']")
    ).to_have_count(1)
    # the filter by stand: only that member's products
    page.locator(f".chips .chip[data-member='{member_miel}']").click()
    expect(page.locator(".tile")).to_have_count(3)  # its oil, honey and amlou
    expect(tile(page, olive_oil)).to_have_count(0)
    page.locator(".chips .chip").first.click()
    shot(page, "till-members-fr")
    # the cart and the receipt name each line's member
    take(page, olive_oil, 1)
    take(page, other_oil, 1)
    page.locator(".cartbar").click()
    expect(page.locator(f".line[data-product='{olive_oil.pk}'] .member-tag .stand")).to_have_text("A1")
    expect(page.locator(f".line[data-product='{other_oil.pk}'] .member-tag .stand")).to_have_text("B2")
    page.locator(".panel .actions .big.primary").click()
    page.locator(".methods .m-card").click()
    page.locator(".keypad .ok").click()
    page.locator(".validate").click()
    expect(page.locator(f".receipt tr[data-product='{olive_oil.pk}'] .member-tag")).to_contain_text("A1")
    expect(page.locator(f".receipt tr[data-product='{other_oil.pk}'] .member-tag")).to_contain_text("B2")
    expect(page.locator(f".receipt tr[data-product='{other_oil.pk}'] .member-tag")).to_contain_text(
        f["registered"].legal_name_fr
    )
    close_quietly(context)


def test_numbers_read_left_to_right_in_arabic_and_the_z_is_dated_as_written(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    p = f["products"]
    Product.objects.filter(pk=p["amlou"].pk).update(name_ar="")  # no Arabic name: its French one, isolated
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    page.locator("button.lang").click()
    open_shift(page, "100")
    # a product without an Arabic name shows its French name, isolated, with its picture large
    fallback = tile(page, p["amlou"]).locator(".name bdi")
    expect(fallback).to_have_text("Amlou 250 g")
    assert fallback.get_attribute("dir") == "ltr"  # its language's direction (the name came from name_fr)
    assert fallback.get_attribute("lang") == "fr"
    ring(page, [(p["miel"], 2), (p["amlou"], 1)], [("cash", None)])
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    # refund one honey of ticket 1: the refund's receipt reads "−1 × 120,00" left to right, with a real minus
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.history").click()
    expect(page.locator(".day-sum")).to_contain_text("\u2066" + "1" + "\u2069")  # the count, isolated
    page.locator(".ticket-row[data-seq='1']").click()
    page.locator(".big.warn").click()
    refund_line = page.locator(f".refund .line[data-product='{p['miel'].pk}']")
    refund_line.locator(".step").first.click()  # 2 → 1
    refund_line_amlou = page.locator(f".refund .line[data-product='{p['amlou'].pk}']")
    refund_line_amlou.locator(".step").first.click()  # 1 → 0
    expect(refund_line_amlou.locator(".step-qty")).to_have_text("0")
    expect(page.locator(".refund .sum bdi")).to_have_text("120,00")
    expect(refund_line.locator("bdi.times")).to_have_text("1 × 120,00")
    assert refund_line.locator("bdi.times").evaluate(READS_LEFT_TO_RIGHT)
    page.locator(".confirm-refund").click()
    times = page.locator(f".receipt tr[data-product='{p['miel'].pk}'] bdi.times")
    expect(times).to_have_text("\u22121 × 120,00")
    assert times.evaluate(READS_LEFT_TO_RIGHT)
    expect(page.locator(".receipt-total bdi")).to_have_text("\u2212120,00")
    assert page.locator(".receipt-total bdi").evaluate(READS_LEFT_TO_RIGHT)
    expect(page.locator(".receipt-when bdi")).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    shot(page, "till-refund-ar")
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    # the Z: dates as people write them, in Arabic and in French; a negative difference with a real minus
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.close-till").click()
    type_amount(page, "100")  # 100 float + 295 − 120 = 275 expected: 175 missing
    page.locator(".keypad .ok").click()
    expect(page.locator(".z-screen")).to_be_visible()
    period = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d → \d\d:\d\d$")
    expect(page.locator(".z-when bdi")).to_have_text(period)
    expect(page.locator("tr[data-row='cash-difference'] td")).to_have_text("\u2212175,00", timeout=15000)
    assert page.locator("tr[data-row='cash-difference'] td bdi").evaluate(READS_LEFT_TO_RIGHT)
    assert "T" not in (page.locator(".z-when").text_content() or "")
    shot(page, "till-z-ar")
    page.locator("button.lang").click()
    expect(page.locator(".z-when bdi")).to_have_text(period)
    close_quietly(context)


def test_weighed_products_take_a_typed_quantity_priced_as_the_server_does(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    oil, honey = f["products"]["huile"], f["products"]["miel"]  # oil by the litre, honey by the pot
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, f["event"].slug)
    open_shift(page, "100")
    # a pot is counted whole: a tap adds one, no keypad
    tile(page, honey).click()
    expect(page.locator(".weigh")).to_have_count(0)
    # the oil asks its quantity: 0,75 l at 80,00 = 60,00, shown as it is typed; a fourth decimal is refused
    tile(page, oil).click()
    for key in "0,7505":
        page.locator(f".weigh .keys [data-key='{key}']").click()
    expect(page.locator(".weigh-display bdi")).to_have_text("0,750")
    expect(page.locator(".weigh-amount bdi")).to_have_text("60,00")
    shot(page, "till-weigh-fr")
    page.locator(".weigh .ok").click()
    expect(tile(page, oil).locator(".qty")).to_have_text("0,750")
    expect(page.locator(".cartbar .count")).to_have_text("2")  # two articles: a pot and a weighed line
    expect(page.locator(".cartbar .total bdi")).to_have_text("180,00")
    page.locator(".footer .pay").click()
    page.locator(".methods .m-cash").click()
    page.locator(".quick-cash.exact").click()
    page.locator(".validate").click()
    expect(page.locator(f".receipt tr[data-product='{oil.pk}'] bdi.times")).to_have_text("0,750 litre × 80,00")
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    line = TicketLine.objects.get(product=oil)
    assert (line.quantity, line.amount) == (Decimal("0.750"), Decimal("60.00"))
    assert Ticket.objects.get().total == Decimal("180.00")

    # the phone's rounding is the server's, to the centime: ties, negatives, the biggest figures, and random ones
    rng = random.Random(12)
    cases = [("0.125", "0.20"), ("0.005", "1.00"), ("1.005", "0.50"), ("2.675", "1.00"), ("-0.125", "0.20"),
             ("-0.005", "1.00"), ("0.333", "12.35"), ("12.345", "999999999.99"), ("99999.999", "0.01"),
             ("3", "80.00")]  # fmt: skip
    cases += [(f"{rng.randint(1, 99999) / 1000:.3f}", f"{rng.randint(1, 9999999) / 100:.2f}") for _ in range(300)]
    computed = page.evaluate(
        """async (cases) => {
          const { lineAmount, toCentimes } = await import("/static/sales/till/ticket.js");
          return cases.map(([q, p]) => lineAmount({ quantity: Number(q), price: toCentimes(p) }));
        }""",
        cases,
    )
    expected = [int(line_amount(Decimal(q), Decimal(p)) * 100) for q, p in cases]
    assert computed == expected
    assert computed[:5] == [3, 1, 50, 268, -3]
    close_quietly(context)


def test_barcodes_add_their_product_from_a_scanner_the_field_or_the_camera(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    p = f["products"]
    context = browser.new_context(**PHONE)
    # a browser that reads barcodes (as Chrome on Android): the camera sees the amlou's label
    context.add_init_script("""
      window.BarcodeDetector = class {
        static async getSupportedFormats() { return ["ean_13"]; }
        async detect() { return [{ rawValue: "2000000000039", format: "ean_13" }]; }
      };
      navigator.mediaDevices.getUserMedia = async () => {
        const canvas = document.createElement("canvas");
        canvas.width = 64; canvas.height = 48;
        return canvas.captureStream(5);
      };
    """)
    page = open_till(context, live_server.url, f["event"].slug)
    open_shift(page, "100")
    # a keyboard scanner types 13 digits and Enter anywhere on the screen: the honey, even with a tile focused
    tile(page, p["tapis"]).click()
    tile(page, p["tapis"]).focus()
    page.keyboard.type(p["miel"].scan_code)
    page.keyboard.press("Enter")
    expect(tile(page, p["miel"]).locator(".qty")).to_have_text("1")
    expect(tile(page, p["tapis"]).locator(".qty")).to_have_text("1")  # the Enter did not tap the focused tile
    # typed into the scan field
    page.locator(".scan-input").fill(p["miel"].scan_code)
    page.locator(".scan-input").press("Enter")
    expect(tile(page, p["miel"]).locator(".qty")).to_have_text("2")
    # a weighed product's label opens its keypad
    page.locator(".scan-input").fill(p["huile"].scan_code)
    page.locator(".scan-input").press("Enter")
    expect(page.locator(".weigh")).to_be_visible()
    page.locator(".weigh .panel-head .icon-button").click()
    # an unknown code and a misread one are each said plainly
    unknown = with_check_digit("200000009999")
    page.locator(".scan-input").fill(unknown)
    page.locator(".scan-input").press("Enter")
    expect(page.locator("#toast")).to_contain_text("Code inconnu")
    expect(page.locator("#toast")).to_contain_text(unknown)
    misread = p["miel"].scan_code[:-1] + str((int(p["miel"].scan_code[-1]) + 1) % 10)
    page.keyboard.type(misread)
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("Code mal lu")
    # the camera
    page.locator(".scan-camera").click()
    expect(tile(page, p["amlou"]).locator(".qty")).to_have_text("1")
    expect(page.locator("#sheet")).to_be_hidden()
    assert page.evaluate("window.__till.app.cart.length") == 3
    close_quietly(context)


def test_plural_forms_are_the_catalogues_and_isolate_the_count(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    """The phone's plural categories (dom.js) against the Arabic catalogue's Plural-Forms, for 0 to 1 000."""
    f = fair_today(fair)
    header = re.search(r"plural=([^;\\]*)", PO_AR.read_text(encoding="utf-8").replace('"\n"', ""))
    assert header
    form = gettext.c2py(header.group(1))  # the catalogue's own formula, as gettext reads it

    page = open_till(browser.new_context(**PHONE), live_server.url, f["event"].slug)
    categories = page.evaluate(
        """async () => {
          const { pluralCategory } = await import("/static/sales/till/dom.js");
          return Array.from({ length: 1001 }, (_, n) => pluralCategory(n, "ar"));
        }"""
    )
    order = ["zero", "one", "two", "few", "many", "other"]
    assert [order.index(c) for c in categories] == [form(n) for n in range(1001)]
    french = page.evaluate(
        """async () => {
          const { pluralCategory } = await import("/static/sales/till/dom.js");
          return [0, 1, 2, 5].map((n) => pluralCategory(n, "fr"));
        }"""
    )
    assert french == ["one", "one", "other", "other"]
    page.context.close()
