"""The phone till as a seller uses it, in Debian's chromium at 390 px: offline sales that reach the server exactly
once, whatever the network does, two tabs at once, a refund, and a Z whose phone totals equal the server's.

The plan of the 20 offline tickets (products of tests/sales/conftest.py: huile 80.00, miel 120.00, amlou 55.00,
tapis 450.00), five times each:
    huile ×1            =  80.00  cash, 100 handed over (20.00 back)
    miel ×1 + amlou ×1  = 175.00  card
    tapis ×1            = 450.00  mobile money
    miel ×2             = 240.00  cash 100 handed over, then cheque for the 140 left
so cash 5 × 80 + 5 × 100 = 900.00, card 875.00, mobile 2 250.00, cheque 700.00: 4 725.00 for 20 tickets.
"""

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

import qrcode
from django.db.models import Sum
from playwright.sync_api import Browser, Page, Route, expect
from qrcode.util import MODE_8BIT_BYTE, QRData

from gie_erp.core.money import to_mad
from sales.models import Shift, SyncConflict, Ticket, TicketPayment
from tests.browser.kit import shot
from tests.browser.till_kit import (
    OFFLINE_READY,
    PHONE,
    READY,
    fair_today,
    open_shift,
    open_till,
    pending,
    server_tickets,
    tile,
    type_amount,
)
from tests.sales.conftest import fair, world  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def plan(products: dict[str, Any]) -> list[tuple[list[tuple[Any, int]], list[tuple[str, str | None]]]]:
    return [
        ([(products["huile"], 1)], [("cash", "100")]),
        ([(products["miel"], 1), (products["amlou"], 1)], [("card", None)]),
        ([(products["tapis"], 1)], [("mobile", None)]),
        ([(products["miel"], 2)], [("cash", "100"), ("cheque", None)]),
    ]


#: in a tab, save `n` sales of one huile paid cash at once through the app's own save path (Web Lock + IndexedDB)
BURST = """async (n) => {
  const app = window.__till.app;
  const huile = app.catalogue.products.find((p) => p.code === "huile-1l");
  const lines = [{ product: huile.id, quantity: 1, price: 8000 }];
  const saves = Array.from({ length: n }, () =>
    app.persist({ lines, payments: [{ method: "cash", amount: 8000 }], labels: app.labelsFor(lines) }));
  window.__burst = Promise.all(saves).then((records) => { app.changed(); return records.map((r) => r.seq); });
}"""


WEIGHED = ("kg", "l")


def take(page: Page, product: Any, quantity: int | str = 1) -> None:
    """Tap a product as a seller does: pieces one tap each; a product sold by weight or volume (the fair's oil is
    sold by the litre) asks its quantity on the keypad."""
    if product.unit in WEIGHED:
        tile(page, product).click()
        for key in str(quantity):
            page.locator(f".weigh .keys [data-key='{key}']").click()
        page.locator(".weigh .ok").click()
        expect(page.locator(".weigh")).to_have_count(0)
        return
    for _ in range(int(quantity)):
        tile(page, product).click()


def ring(page: Page, items: list[tuple[Any, int]], payments: list[tuple[str, str | None]]) -> None:
    """Take each product, pay with `payments` [(method, typed amount or None for what remains)], save, and come
    back to the grid."""
    for product, quantity in items:
        take(page, product, quantity)
    page.locator(".footer .pay").click()
    for method, typed in payments:
        page.locator(f".methods .m-{method}").click()
        if typed:
            type_amount(page, typed)
        page.locator(".keypad .ok").click()
    page.locator(".validate").click()
    page.locator(".new-sale").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "sell")


def server_totals(shift_id: str) -> dict[str, str]:
    rows = TicketPayment.objects.filter(ticket__shift_id=shift_id).values_list("method").annotate(total=Sum("amount"))
    return {method: str(to_mad(total)) for method, total in rows}


def test_offline_sales_reach_the_server_exactly_once(browser: Browser, live_server: Any, fair: dict[str, Any]) -> None:  # noqa: F811
    f = fair_today(fair)
    event, products = f["event"], f["products"]
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, event.slug)
    open_shift(page, "200")
    page.wait_for_function(OFFLINE_READY)

    # offline: 20 tickets, each saved on the phone only
    context.set_offline(True)
    for i in range(20):
        items, payments = plan(products)[i % 4]
        ring(page, items, payments)
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "20")
    shot(page, "till-offline-20-fr")

    # the last resort works offline too: a file of the 20 tickets not yet sent
    page.locator(".bar .icon-button").first.click()
    with page.expect_download() as download:
        page.locator(".menu-item.export").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert len(exported["tickets"]) == 20
    assert sorted(t["sequence"] for t in exported["tickets"]) == list(range(1, 21))

    # reload while offline: the service worker serves the till, IndexedDB still holds the 20 tickets
    page.reload()
    page.wait_for_function(READY)
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "20")
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.history").click()
    expect(page.locator(".ticket-row")).to_have_count(20)
    expect(page.locator(".ticket-row[data-status='pending']")).to_have_count(20)
    assert server_tickets(event) == 0

    # back online, but the answer is lost: the server stores the batch, the phone hears nothing
    lost: list[int] = []

    def lose_the_answer(route: Route) -> None:
        response = route.fetch()  # the request reaches Django, which stores the batch
        lost.append(response.status)
        route.abort("connectionreset")

    context.route("**/sales/api/sync/", lose_the_answer)
    context.set_offline(False)
    page.wait_for_function("() => navigator.onLine")
    page.wait_for_timeout(200)
    for attempt in range(300):
        if lost:
            break
        if attempt % 20 == 19:  # the seller looks at the till again (a loaded CI machine may miss the online kick)
            page.evaluate("window.dispatchEvent(new Event('focus'))")
        page.wait_for_timeout(100)
    assert lost
    assert lost[0] == 200
    assert server_tickets(event) == 20  # go online: exactly 20
    assert pending(page) == 20  # the phone deleted nothing it was not told about
    context.unroute("**/sales/api/sync/")

    # the retry: the server answers "duplicate" for each, the phone forgets them, the server still has 20
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    expect(page.locator(".ticket-row[data-status='duplicate']")).to_have_count(20)
    assert server_tickets(event) == 20
    assert list(Ticket.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 21))

    # two tabs at once on the same phone: 10 sales each, saved concurrently, then one more through the screens
    page.locator(".screen-head .icon-button").click()
    second = context.new_page()
    second.goto(f"{live_server.url}/sales/till/{event.slug}/")
    second.wait_for_function(READY)
    expect(second.locator("body")).to_have_attribute("data-screen", "sell")  # the shift is the phone's, not the tab's
    page.evaluate(BURST, 10)
    second.evaluate(BURST, 10)
    sequences = page.evaluate("window.__burst") + second.evaluate("window.__burst")
    assert sorted(sequences) == list(range(21, 41))  # no sequence used twice across the tabs
    ring(second, [(products["amlou"], 1)], [("mobile", None)])
    for tab in (page, second):
        tab.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    expect(second.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    assert server_tickets(event) == 41
    assert list(Ticket.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 42))
    assert SyncConflict.objects.count() == 0
    second.close()

    # a refund of ticket N° 1 (huile, 80.00 cash) from today's list: a new ticket, the original untouched
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.history").click()
    page.locator(".ticket-row[data-seq='1']").click()
    first_id = UUID(page.locator(".receipt").get_attribute("data-ticket") or "")
    page.locator(".big.warn").click()
    page.locator(".confirm-refund").click()
    expect(page.locator(".receipt")).to_contain_text("Remboursement")
    expect(page.locator("#sync-badge")).to_have_attribute("data-pending", "0", timeout=15000)
    refund = Ticket.objects.get(refund_of_id=first_id)
    assert refund.total == Decimal("-80.00")

    # close with the counted cash: cash 900 + 20 × 80 − 80 = 2 420.00, plus the float 200 = 2 620.00 expected
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.close-till").click()
    type_amount(page, "2620")
    page.locator(".keypad .ok").click()
    expect(page.locator(".z-screen")).to_be_visible()
    expect(page.locator(".provisional")).to_have_count(0, timeout=15000)
    shot(page, "till-z-fr")
    shift = Shift.objects.get()
    assert shift.closed_at is not None
    assert shift.counted_cash == Decimal("2620.00")
    expected = {"cash": "2420.00", "card": "875.00", "mobile": "2305.00", "cheque": "700.00"}
    assert shift.device_totals == expected  # what the phone counted
    assert server_totals(str(shift.pk)) == expected  # what the server holds
    assert shift.device_ticket_count == 42 == Ticket.objects.filter(shift=shift).count()
    for method, amount in expected.items():  # the Z on screen: phone = server, difference 0,00
        row = page.locator(f".z-table tr[data-method='{method}'] td")
        whole, cents = amount.split(".")
        shown = f"{int(whole):,}".replace(",", "\u202f") + "," + cents
        expect(row.nth(0)).to_have_text(shown)
        expect(row.nth(1)).to_have_text(shown)
        expect(row.nth(2)).to_have_text("0,00")
    expect(page.locator("tr[data-row='cash-difference'] td")).to_have_text("0,00")
    context.close()


def test_closing_offline_takes_two_confirmations_and_gives_a_provisional_z(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811
) -> None:
    f = fair_today(fair)
    event, products = f["event"], f["products"]
    context = browser.new_context(**PHONE)
    page = open_till(context, live_server.url, event.slug)
    page.locator("button.lang").click()  # the seller reads Arabic; the choice stays on the phone
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    open_shift(page, "100")
    page.wait_for_function(OFFLINE_READY)
    context.set_offline(True)

    # miel ×2 + huile: 320.00, 400 handed over: 80.00 back, shown in big digits before saving
    take(page, products["miel"], 2)
    take(page, products["huile"], 1)
    shot(page, "till-sell-ar")
    page.locator(".footer .pay").click()
    page.locator(".methods .m-cash").click()
    type_amount(page, "400")
    page.locator(".keypad .ok").click()
    expect(page.locator(".change bdi")).to_have_text("80,00")
    page.locator(".validate").click()
    expect(page.locator(".receipt-total bdi")).to_have_text("320,00")
    expect(page.locator(".receipt .qr svg")).to_be_visible()
    shot(page, "till-receipt-ar")
    check_layout(page)

    # printed on 58 mm paper: only the receipt, on a page 58 mm wide
    page.evaluate("window.print = () => {}")
    page.locator(".actions .big.ghost").first.click()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(pdf) > 1000
    from io import BytesIO

    from pypdf import PdfReader

    box = PdfReader(BytesIO(pdf)).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 58  # millimetres
    page.locator(".new-sale").click()

    # closing with a ticket not sent: refused, then closed offline on purpose after a second confirmation
    page.locator(".bar .icon-button").first.click()
    page.locator(".menu-item.close-till").click()
    type_amount(page, "420")
    page.locator(".keypad .ok").click()
    expect(page.locator(".refusal")).to_contain_text("1")
    page.locator(".close-offline").click()
    page.locator(".close-offline-confirm").click()
    expect(page.locator(".provisional")).to_be_visible()
    shot(page, "till-z-provisional-ar")
    assert not Shift.objects.filter(closed_at__isnull=False).exists()  # the close is still on the phone only

    # online again: the ticket and the close reach the server, the Z is complete and matches
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(".provisional")).to_have_count(0, timeout=15000)
    shift = Shift.objects.get()
    assert shift.closed_offline is True
    assert shift.device_totals == {"cash": "320.00", "card": "0.00", "mobile": "0.00", "cheque": "0.00"}
    assert server_totals(str(shift.pk)) == {"cash": "320.00"}
    expect(page.locator("tr[data-row='cash-difference'] td")).to_have_text("0,00")  # 420 − (100 + 320)
    context.close()


def check_layout(page: Any) -> None:
    """What a seller would trip on: anything wider than the phone, or a button smaller than 48 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, a.big, a.menu-item')]
          .filter((b) => b.offsetParent !== null)
          .map((b) => [b.className, b.getBoundingClientRect()])
          .filter(([, r]) => r.width < 48 || r.height < 48)
          .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert small == []


def test_receipt_qr_codes_equal_the_python_encoder(browser: Browser, live_server: Any) -> None:
    """The till's own QR encoder against the `qrcode` package, module by module, for every mask and versions 1–10."""
    page = browser.new_page()
    page.goto(f"{live_server.url}/static/sales/till/qr.js")
    texts = ["GIE-TICKET;foire-tanger-2026;12;3f2c1d4e-8a9b-4c0d-9e1f-2a3b4c5d6e7f;235.00", "é" * 40, "x" * 213]
    matrices = page.evaluate(
        """async (texts) => {
          const { qrMatrix } = await import("/static/sales/till/qr.js");
          return texts.flatMap((text) => [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => {
            const m = qrMatrix(text, { mask });
            return { text, mask, version: m.version, rows: m.dark.map((r) => r.map((d) => (d ? 1 : 0)).join("")) };
          }));
        }""",
        texts,
    )
    assert len(matrices) == 24
    for case in matrices:
        qr = qrcode.QRCode(
            version=case["version"],
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            border=0,
            mask_pattern=case["mask"],
        )
        qr.add_data(QRData(case["text"].encode(), mode=MODE_8BIT_BYTE), optimize=0)
        qr.make(fit=False)
        assert ["".join("1" if c else "0" for c in row) for row in qr.get_matrix()] == case["rows"], case["mask"]
    assert [m["version"] for m in matrices[::8]] == [5, 5, 10]  # 82, 80 and 213 bytes
    page.close()
