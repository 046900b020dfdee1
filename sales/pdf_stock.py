"""The deposit note (bon de dépôt) of one member at one event: A4, French and Arabic side by side whatever the
reader's language, as the member signs it with the GIE when it brings its goods and again when it takes back
what was not sold.

It lists each product deposited with its price TTC, the quantity deposited and its value, and the quantity
returned once entered (an empty box to fill in by hand until then), with signature boxes for both sides at the
deposit and at the return. The wording is fixed here in both languages (like the monthly statement's), not
switched by gettext: both are printed on every note.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from gie_erp.core.i18n import CURRENCY_LABEL, format_day
from gie_erp.core.money import ZERO
from gie_erp.core.pdf import amount_html, render_pdf
from members.models import Organization
from sales.consignment import stock_of
from sales.labels import UNIT_WORDS
from sales.maths import line_amount
from sales.models import Event, Participation, Product
from sales.quantities import format_quantity

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "sales" / "consignment"
NOTE_CSS = TEMPLATE_DIR / "deposit_note.css"

#: Every fixed word of the note, French and Arabic.
WORDS: dict[str, dict[str, str]] = {
    "TITLE": {"fr": "Bon de dépôt en consignation", "ar": "وصل إيداع بضاعة للبيع بالوكالة"},
    "EVENT": {"fr": "Événement", "ar": "التظاهرة"},
    "DATES": {"fr": "Dates", "ar": "التواريخ"},
    "PLACE": {"fr": "Lieu", "ar": "المكان"},
    "STAND": {"fr": "Stand", "ar": "الرواق"},
    "MEMBER": {"fr": "Coopérative (déposante)", "ar": "التعاونية (المودِعة)"},
    "DEPOSITARY": {"fr": "GIE (dépositaire)", "ar": "المجموعة (المودَع لديها)"},
    "CODE": {"fr": "Code", "ar": "الرمز"},
    "PRODUCT": {"fr": "Produit", "ar": "المنتج"},
    "UNIT": {"fr": "Unité", "ar": "الوحدة"},
    "PRICE": {"fr": "Prix TTC", "ar": "الثمن"},
    "DEPOSITED": {"fr": "Déposé", "ar": "المودَع"},
    "VALUE": {"fr": "Valeur TTC", "ar": "القيمة"},
    "RETURNED": {"fr": "Repris", "ar": "المسترجَع"},
    "TOTAL": {"fr": "Total", "ar": "المجموع"},
    "DEPOSITED_ON": {"fr": "Déposé le", "ar": "تاريخ الإيداع"},
    "RETURNED_ON": {"fr": "Repris le", "ar": "تاريخ الاسترجاع"},
    "NOTE": {
        "fr": "Les produits restent la propriété de la coopérative jusqu'à leur vente. Le GIE les vend au nom de la "
        "coopérative (mandat) et lui rend ce qui n'est pas vendu ; les ventes lui sont réglées, commission déduite.",
        "ar": "تبقى المنتجات ملكا للتعاونية إلى حين بيعها. تبيعها المجموعة باسم التعاونية (وكالة) وترجع إليها ما لم "
        "يُبع، وتؤدي لها ثمن المبيعات بعد خصم العمولة.",
    },
    "AT_DEPOSIT": {"fr": "Au dépôt", "ar": "عند الإيداع"},
    "AT_RETURN": {"fr": "À la reprise", "ar": "عند الاسترجاع"},
    "SIGN_MEMBER": {"fr": "Pour la coopérative : nom, date, signature", "ar": "عن التعاونية: الاسم والتاريخ والتوقيع"},
    "SIGN_GIE": {"fr": "Pour le GIE : nom, date, signature", "ar": "عن المجموعة: الاسم والتاريخ والتوقيع"},
    "NOTHING": {"fr": "Aucun produit déposé.", "ar": "لم يُودَع أي منتج."},
    "PRINTED": {"fr": "Imprimé le", "ar": "طُبع في"},
}


@dataclass(frozen=True, slots=True)
class NoteLine:
    product: Product
    unit_fr: str
    unit_ar: str
    price: SafeString
    deposited: str
    value: SafeString
    returned: str  # empty while the return is not entered: a box to fill in by hand


def deposit_note_html(event: Event, organization: Organization) -> str:
    rows = [row for row in stock_of(event, organization) if row.deposit is not None and row.deposited]
    lines, total = [], ZERO
    for row in rows:
        value = line_amount(row.deposited, row.product.price)
        total += value
        unit_fr, unit_ar = UNIT_WORDS.get(Product.Unit(row.product.unit), (row.product.unit, ""))
        lines.append(
            NoteLine(
                product=row.product,
                unit_fr=unit_fr,
                unit_ar=unit_ar,
                price=amount_html(row.product.price),
                deposited=format_quantity(row.deposited),
                value=amount_html(value),
                returned=format_quantity(row.returned) if row.returned is not None else "",
            )
        )
    deposited_days = sorted({r.deposit.deposited_on for r in rows if r.deposit and r.deposit.deposited_on})
    returned_days = sorted({r.deposit.returned_on for r in rows if r.deposit and r.deposit.returned_on})
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).first()
    stand = Participation.objects.filter(event=event, organization=organization).values_list("stand", flat=True)
    return render_to_string(
        "sales/consignment/deposit_note.html",
        {
            "w": WORDS,
            "event": event,
            "member": organization,
            "gie": gie,
            "stand": next(iter(stand), ""),
            "dates": format_day(event.starts_on) + (f" – {format_day(event.ends_on)}" if event.ends_on else ""),
            "lines": lines,
            "total": amount_html(total),
            "has_total": total > Decimal(0),
            "currency": CURRENCY_LABEL,
            "deposited_on": ", ".join(format_day(day) for day in deposited_days),
            "returned_on": ", ".join(format_day(day) for day in returned_days),
            "printed_on": format_day(timezone.localdate()),
        },
    )


def deposit_note_pdf(event: Event, organization: Organization) -> bytes:
    """The member's deposit note for the event, as PDF bytes."""
    return render_pdf(deposit_note_html(event, organization), base_url=TEMPLATE_DIR, stylesheets=[NOTE_CSS])
