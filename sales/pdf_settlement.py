"""The settlement note: one A4 page a member reads without French, in the monthly statement's visual language
(DESIGN §8): French and Arabic side by side, big Western digits, the same arrows and colours with a legend — money in
green with an arrow into the tray, money out red with an arrow out, what is paid gold with coins — signature boxes,
and a QR code to the note in the cooperative portal.

It reads: your sales at the event (tickets, takings), the missing consigned goods the GIE paid you (if any), the GIE's
commission (VAT included, as invoiced: HT + VAT), the other invoices netted (only with the member's agreement), and
what was paid: takings + differences − commission − other invoices. The figures are the settlement's own
(``Settlement``), so the note says what the books say; the per-product detail comes from the ticket lines the
settlement paid.

The fixed wording is data printed in both languages whatever the reader's interface language (``Words``, like the
statement's ``wording.py``), not gettext messages. The page frame, header, figure rows, legend, signature boxes and
drawings are the statement's, shared from the PDF base in ``gie_erp.core`` (``templates/core/pdf/``,
``BILINGUAL_CSS``, ``gie_erp.core.pictograms``): ``sales`` may not import ``gie_erp.statements``.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from gie_erp.core import pictograms
from gie_erp.core.i18n import format_amount, format_day
from gie_erp.core.money import ZERO
from gie_erp.core.pdf import BILINGUAL_CSS, PageOverflow, Words, amount_html, qr_svg, render_pdf
from sales.models import Deposit, Settlement
from sales.quantities import format_quantity
from sales.selectors import SalesRow, settled_lines, settled_products

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "sales" / "pdf"
NOTE_CSS = TEMPLATE_DIR / "settlement.css"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
#: product lines printed before the rest is summed in one line (shortened further if the page overflows)
DETAIL_LIMIT = 10
#: missing products named under the differences' row before they are only counted
DIFFERENCES_NAMED = 2
#: a product's name in the detail wraps on two lines of its column; longer, it is shortened with "…" (never cut
#: silently: WeasyPrint's text-overflow cuts a right-to-left line without its ellipsis)
NAME_CHARS = 64

TITLE = Words("Règlement de vos ventes", "تسوية مبيعاتكم")
MEMBER_NUMBER = Words("N° ICE", "رقم ICE")
EVENT = Words("Foire ou vente", "المعرض أو البيع")
DAYS = Words("Ventes du", "المبيعات من")
SETTLED = Words("Réglé le", "تاريخ التسوية")
SALES = Words("Vos ventes", "مبيعاتكم")
TICKETS = Words("tickets", "عدد التذاكر")
TICKET = Words("ticket", "عدد التذاكر")
DIFFERENCES = Words("Marchandise manquante payée par le GIE", "سلع ناقصة أدّت المجموعة ثمنها")
PRODUCTS = Words("produits", "عدد المنتوجات")
COMMISSION = Words("Commission du GIE (TTC)", "عمولة المجموعة (مع\u00a0الضريبة)")
OFFSETS = Words("Autres factures du GIE retenues", "فواتير أخرى للمجموعة تم اقتطاعها")
NET = Words("Versé à votre coopérative", "المبلغ المدفوع لتعاونيتكم")
CURRENCY = Words("DH", "درهم")
DETAIL = Words("Ce que vous avez vendu", "ما بعتموه")
PRODUCT = Words("Produit", "المنتوج")
QUANTITY = Words("Quantité", "الكمية")
AMOUNT = Words("Montant", "المبلغ")
OTHER_PRODUCTS = Words("Autres produits", "منتوجات أخرى")
NO_DETAIL = Words("Détail des produits non disponible", "تفاصيل المنتوجات غير متوفرة")
INVOICE = Words("Facture", "فاتورة")
COMMISSION_HOW = Words("de", "من")
HT = Words("HT", "دون\u00a0الضريبة")
VAT = Words("TVA", "الضريبة")
TTC = Words("TTC", "مع\u00a0الضريبة")
LEGEND_IN = Words("Argent qui vous revient", "مال يعود إليكم")
LEGEND_OUT = Words("Retenu par le GIE", "اقتطعته المجموعة")
LEGEND_NET = Words("Payé à vous", "دُفع لكم")
MEANS = Words(
    "Versé = ventes - commission TTC - factures retenues",
    "المدفوع = المبيعات - العمولة مع الضريبة - الفواتير المقتطعة",
)
MEANS_DIFFERENCES = Words(
    "Versé = ventes + marchandise manquante payée par le GIE - commission TTC - factures retenues",
    "المدفوع = المبيعات + السلع الناقصة التي أدّت المجموعة ثمنها - العمولة مع الضريبة - الفواتير المقتطعة",
)
SIGN_GIE = Words("Pour le GIE (signature et cachet)", "عن المجموعة (التوقيع والخاتم)")
SIGN_MEMBER = Words("Pour la coopérative : reçu", "عن التعاونية: تم الاستلام")
QR = Words("Cette note en ligne", "هذا الإشعار على الإنترنت")
PAGE = Words("Note de règlement", "إشعار التسوية")
#: every wording above, by name, for the template
WORDS = {name: value for name, value in list(globals().items()) if isinstance(value, Words)}


def note_file_name(settlement: Settlement) -> str:
    return f"reglement-{settlement.event.slug}-{settlement.organization.slug}-{settlement.settled_on:%Y-%m-%d}.pdf"


def note_url(settlement: Settlement) -> str:
    """Where the QR code points: the note in the cooperative portal (``SITE_URL``, else the development server)."""
    site = (getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")
    return site + reverse("web:portal_sales_settlement", kwargs={"settlement_id": settlement.pk})


def shorten(name: str, limit: int = NAME_CHARS) -> str:
    """``name`` whole, or cut at a word before ``limit`` characters and ended with "…" (in either script)."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    cut = name[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" —-–,;:·") + "…"


def _detail(rows: list[SalesRow], limit: int) -> list[dict[str, Any]]:
    shown = [
        {"fr": shorten(row.label), "ar": shorten(row.label_ar), "quantity": format_quantity(row.quantity or ZERO),
         "amount": amount_html(row.amount)}
        for row in rows[:limit]
    ]  # fmt: skip
    rest = rows[limit:]
    if rest:
        shown.append(
            {"fr": f"{OTHER_PRODUCTS.fr} ({len(rest)})", "ar": f"{OTHER_PRODUCTS.ar} ({len(rest)})", "quantity": "",
             "amount": amount_html(sum((r.amount for r in rest), ZERO))}
        )  # fmt: skip
    return shown


def _row(kind: str, arrow: SafeString, icon: SafeString | str, words: Words, amount: SafeString,
         sub_fr: str = "", sub_ar: str = "") -> dict[str, Any]:  # fmt: skip
    """One figure row as ``core/pdf/_money_rows.html`` prints it."""
    return {"kind": kind, "arrow": arrow, "icon": icon, "label_fr": words.fr, "label_ar": words.ar,
            "amount": amount, "sub_fr": sub_fr, "sub_ar": sub_ar}  # fmt: skip


def _missing_goods(settlement: Settlement) -> tuple[str, SafeString | str]:
    """What the differences paid, under their row: the products and quantities, or their count when many."""
    deposits = list(
        Deposit.objects.filter(settlement=settlement).select_related("product").order_by("product__code", "pk")
    )
    if not deposits or len(deposits) > DIFFERENCES_NAMED:
        return (f"{len(deposits)} {PRODUCTS.fr}", f"{PRODUCTS.ar}: {len(deposits)}") if deposits else ("", "")
    quantities = [format_quantity(d.decided_quantity or ZERO) for d in deposits]
    sub_fr = ", ".join(f"{d.product.name_fr} × {q}" for d, q in zip(deposits, quantities, strict=True))
    sub_ar = format_html_join(
        "، ",
        '{} <span dir="ltr">× {}</span>',
        ((d.product.name_ar or d.product.name_fr, q) for d, q in zip(deposits, quantities, strict=True)),
    )
    return sub_fr, sub_ar


def note_context(settlement: Settlement, *, printed_on: date, detail_limit: int = DETAIL_LIMIT) -> dict[str, Any]:
    """Everything the note prints, already formatted: the template holds no rule. The settlement is read again, so
    its commission invoice shows the number validation gave it."""
    settlement = Settlement.objects.select_related("event", "organization__commune", "commission").get(pk=settlement.pk)
    event, org = settlement.event, settlement.organization
    lines = settled_lines(settlement)
    facts = lines.aggregate(tickets=Count("ticket", distinct=True), first=Min("ticket__sold_on"))
    facts.update(lines.aggregate(last=Max("ticket__sold_on")))
    document = settlement.commission
    tickets = facts["tickets"]
    rows = [
        _row("in", pictograms.ARROW_IN, pictograms.BASKET, SALES, amount_html(settlement.takings, signed=True),
             f"{tickets} {(TICKET if tickets == 1 else TICKETS).fr}", f"{TICKETS.ar}: {tickets}"),
    ]  # fmt: skip
    if settlement.differences:
        rows.append(
            _row("in", pictograms.ARROW_IN, pictograms.BOX_MISSING, DIFFERENCES,
                 amount_html(settlement.differences, signed=True), *_missing_goods(settlement))
        )  # fmt: skip
    rows.append(
        _row("out", pictograms.ARROW_OUT, pictograms.BUILDING, COMMISSION,
             amount_html(-settlement.commission_netted, signed=True),
             f"{_rate(settlement)} {COMMISSION_HOW.fr} {format_amount(settlement.commission_base)} DH",
             format_html('<span dir="ltr">{}</span> {} <span dir="ltr">{}</span>', _rate(settlement, space=""),
                         COMMISSION_HOW.ar, format_amount(settlement.commission_base)))
    )  # fmt: skip
    if settlement.offsets:
        numbers = ", ".join(_netted_invoices(settlement))
        rows.append(
            _row("out", pictograms.ARROW_OUT, pictograms.RECEIPT, OFFSETS,
                 amount_html(-settlement.offsets, signed=True), numbers,
                 format_html('<span dir="ltr">{}</span>', numbers) if numbers else "")
        )  # fmt: skip
    rows.append(_row("balance", pictograms.COINS, "", NET, amount_html(settlement.net_paid)))
    rows[-1]["is_closing"] = True
    commune = org.commune
    return {
        "w": WORDS,
        "org": org,
        "event": event,
        "commune_fr": commune.name_fr if commune else "",
        "commune_ar": commune.name_ar if commune else "",
        "days": _days(facts.get("first"), facts.get("last")),
        "settled_on": format_day(settlement.settled_on),
        "rows": rows,
        "detail": _detail(settled_products(settlement), detail_limit),
        "invoice_number": document.number if document is not None else "",
        "commission_ht": amount_html(document.total_net) if document is not None else "",
        "commission_vat": amount_html(document.total_vat) if document is not None else "",
        "commission_ttc": amount_html(document.total_gross) if document is not None else "",
        "basket": pictograms.BASKET,
        "legend": [
            (pictograms.ARROW_IN, LEGEND_IN),
            (pictograms.ARROW_OUT, LEGEND_OUT),
            (pictograms.COINS, LEGEND_NET),
        ],
        "means": MEANS_DIFFERENCES if settlement.differences else MEANS,
        "qr": qr_svg(note_url(settlement)),
        "printed_on": format_day(printed_on),
        "reference": f"{settlement.pk} · {event.slug} · {org.slug}",
    }


def _netted_invoices(settlement: Settlement) -> list[str]:
    """The numbers of the other invoices the settlement netted (the commission invoice apart)."""
    payment = settlement.offset_payment
    if payment is None:
        return []
    allocations = payment.allocations.exclude(document_id=settlement.commission_id or 0)
    return list(allocations.order_by("pk").values_list("document__number", flat=True))


def _rate(settlement: Settlement, *, space: str = "\u00a0") -> str:
    """``10 %``; in Arabic text ``10%``: a space would let the sign drift to the other side of the digits."""
    text = f"{(settlement.commission_rate * 100).normalize():f}".replace(".", ",")
    return f"{text}{space}%"


def _days(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return ""
    return format_day(first) if first == last else f"{format_day(first)} - {format_day(last)}"


def settlement_note_html(settlement: Settlement, *, printed_on: date, detail_limit: int = DETAIL_LIMIT) -> str:
    return render_to_string(
        "sales/pdf/settlement.html", note_context(settlement, printed_on=printed_on, detail_limit=detail_limit)
    )


def settlement_note_pdf(settlement: Settlement, *, printed_on: date) -> bytes:
    """One A4 page as PDF bytes (raises PdfRenderError if WeasyPrint warns); a long product list is summed in fewer
    lines until the page fits."""
    limit = DETAIL_LIMIT
    while True:
        html = settlement_note_html(settlement, printed_on=printed_on, detail_limit=limit)
        try:
            return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[BILINGUAL_CSS, NOTE_CSS], max_pages=1)
        except PageOverflow:
            if limit <= 1:
                raise
            limit -= 1
