"""The fee notice: one A4 page a member reads without French, in the monthly statement's visual language (the
shared partials of ``gie_erp.core``: French and Arabic side by side, big Western digits, arrows, colours, legend).

It reads, top to bottom: what the GIE spent on the pool over the period (its costs, what already recovered them,
the fixed amount) and so what the members share; why this member pays its part (its weight against the total
weight of the run, in a bar, a row of dots when the count is small, and in numbers: "7 coopérateurs sur 40"), the
sum that gives its share; then its share, the VAT and the amount due, with the invoice's number. Every figure is the
run's and the share's own (``Run``, ``Share``), so the notice says what the books say. The language of the
cooperative's representative leads: for an Arabic reader the Arabic lines come first and bigger.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from gie_erp.core import pictograms
from gie_erp.core.i18n import format_amount, format_day
from gie_erp.core.money import ZERO
from gie_erp.core.pdf import BILINGUAL_CSS, Words, amount_html, qr_svg, render_pdf
from gie_erp.core.roles import Role
from gie_erp.fees.models import Key, Run, Share
from members.models import Organization, User

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "fees"
NOTICE_CSS = TEMPLATE_DIR / "notice.css"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
DEFAULT_PICTOGRAM = "building"
#: at most this many dots in the row of dots (one per unit of weight); above, the bar alone tells the share
DOTS_MAX = 60

TITLE = Words("Votre part des frais du GIE", "حصتكم من مصاريف المجموعة")
MEMBER_NUMBER = Words("N° ICE", "رقم ICE")
PERIOD = Words("Période", "الفترة")
SPENT = Words("Ce que le GIE a dépensé pour ce service", "ما صرفته المجموعة على هذه الخدمة")
COSTS = Words("Dépenses du GIE", "مصاريف المجموعة")
RECOVERED = Words("Déjà payé par d'autres recettes", "أُدّي من مداخيل أخرى")
RECOVERED_SUB = Words("commissions, frais, subventions", "عمولات، واجبات، دعم")
FIXED = Words("Montant fixe", "مبلغ ثابت")
MONTHS = Words("mois", "أشهر")
TO_SHARE = Words("À partager entre les membres", "المبلغ المقسم بين الأعضاء")
WHY = Words("Pourquoi votre part est celle-ci", "لماذا هذه حصتكم")
YOU = Words("Vous", "أنتم")
OUT_OF = Words("sur", "من")
MEMBERS = Words("membres", "أعضاء")
YOUR_SHARE = Words("Votre part (HT)", "حصتكم (دون\u00a0الضريبة)")
VAT = Words("TVA", "الضريبة")
NO_VAT = Words("Débours refacturés au coût : sans TVA", "مصاريف مستردة بثمن التكلفة: بدون ضريبة")
DUE = Words("À payer au GIE", "المبلغ الواجب أداؤه للمجموعة")
CURRENCY = Words("DH", "درهم")
INVOICE = Words("Facture", "فاتورة")
OF_DAY = Words("du", "بتاريخ")
DUE_ON = Words("à payer avant le", "تؤدى قبل")
CREDITED = Words("Annulée par l'avoir", "أُلغيت بالفاتورة المضادة")
PAID = Words("Déjà payé au GIE", "أديتموه للمجموعة")
IN_FAVOUR = Words("En votre faveur", "لصالحكم")
IN_FAVOUR_SUB = Words(
    "le GIE vous le rembourse ou le déduit de vos prochaines factures",
    "تردّه لكم المجموعة أو تخصمه من فواتيركم المقبلة",
)
LEGEND_COST = Words("Dépensé par le GIE", "صرفته المجموعة")
LEGEND_IN = Words("Déjà payé autrement", "أُدّي بطريقة أخرى")
LEGEND_DUE = Words("À payer", "للأداء")
MEANS = Words(
    "À partager = dépenses - déjà payé + montant fixe ; votre part = à partager × votre poids / poids total",
    "المبلغ المقسم = المصاريف - ما أُدّي + المبلغ الثابت؛ حصتكم = المبلغ المقسم × وزنكم / الوزن الكلي",
)
QR = Words("Vos parts en ligne", "حصصكم على الإنترنت")
PAGE = Words("Avis de quote-part", "إشعار الحصة")
#: every wording above, by name, for the template
WORDS = {name: value for name, value in list(globals().items()) if isinstance(value, Words)}


@dataclass(frozen=True, slots=True)
class KeyWords:
    """How a key's weight is named: the key itself, the unit after a count (French), and whether it is money."""

    key: Words
    unit_fr: str
    is_money: bool = False


KEY_WORDS = {
    Key.EQUAL: KeyWords(Words("Parts égales : une part par membre", "حصص متساوية: حصة لكل عضو"), "part"),
    Key.COOPERATORS: KeyWords(Words("Nombre de coopérateurs", "عدد المتعاونين"), "coopérateurs"),
    Key.SALES: KeyWords(Words("Ventes faites par le GIE", "المبيعات عن طريق المجموعة"), "DH de ventes", is_money=True),
    Key.USAGE: KeyWords(Words("Utilisation du service (écritures)", "استعمال الخدمة (القيود)"), "écritures"),
    Key.CAPITAL: KeyWords(Words("Part du capital", "الحصة في رأس المال"), "DH de capital", is_money=True),
    Key.CUSTOM: KeyWords(Words("Poids décidés par le GIE", "أوزان قررتها المجموعة"), "points"),
    Key.FEES: KeyWords(Words("Quotes-parts facturées dans l'année", "الحصص المفوترة خلال السنة"), "DH", is_money=True),
}


def notice_language(organization: Organization) -> str:
    """The language of the cooperative's (first active) representative; French when it has none."""
    language = (
        User.objects.filter(role=Role.COOP_REPRESENTATIVE, organization=organization, is_active=True)
        .order_by("pk")
        .values_list("preferred_language", flat=True)
        .first()
    )
    return "ar" if (language or "")[:2] == "ar" else "fr"


def notice_url() -> str:
    """Where the QR code points: the cooperative's fees in the portal (``SITE_URL``, else the development server)."""
    site = (getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")
    return site + reverse("web:portal_fees")


def pool_pictogram(name: str) -> SafeString:
    """The pool's drawing placed as its shipped PNG (a name of ``gie_erp.core.pictograms``), else the building."""
    chosen = name if name in pictograms.SOURCES else DEFAULT_PICTOGRAM
    return format_html('<img class="pict cat" src="{}" alt="">', (pictograms.PNG_DIR / f"{chosen}.png").as_uri())


def format_weight(weight: Decimal, *, is_money: bool = False) -> str:
    """A weight as people count it: ``7`` or ``1 234`` for a whole number, ``700,00`` for an amount or a fraction."""
    if not is_money and weight == weight.to_integral_value():
        return format_amount(weight).rsplit(",", 1)[0]
    return format_amount(weight)


def percent(weight: Decimal, total: Decimal) -> Decimal:
    """The share of the total weight, in percent to two places (half up); 0 when nothing weighs."""
    if total <= 0:
        return ZERO
    return (weight * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dots(weight: Decimal, total: Decimal) -> list[bool]:
    """One dot per unit of weight, the member's filled first, when weights are whole and few; else none."""
    whole = weight == weight.to_integral_value() and total == total.to_integral_value()
    if not whole or total > DOTS_MAX or total <= 0:
        return []
    return [True] * int(weight) + [False] * int(total - weight)


def _ltr(text: str) -> SafeString:
    return format_html('<span dir="ltr">{}</span>', text)


def _row(kind: str, arrow: SafeString, icon: SafeString | str, words: Words, amount: SafeString,
         sub_fr: str = "", sub_ar: SafeString | str = "") -> dict[str, Any]:  # fmt: skip
    """One figure row as ``core/pdf/_money_rows.html`` prints it."""
    return {"kind": kind, "arrow": arrow, "icon": icon, "label_fr": words.fr, "label_ar": words.ar,
            "amount": amount, "sub_fr": sub_fr, "sub_ar": sub_ar}  # fmt: skip


def months_ar(count: int) -> str:
    """ "month" after a count in Arabic: شهر (1), شهران (2), أشهر (3 to 10), شهرا (11 and more)."""
    if count == 1:
        return "شهر"
    if count == 2:
        return "شهران"
    return MONTHS.ar if count <= 10 else "شهرا"


def spent_rows(run: Run, pict: SafeString) -> list[dict[str, Any]]:
    """What the pool cost over the period: + costs, - what already recovered them, + fixed = to share."""
    rows = []
    if run.costs or not run.fixed:  # a pool of a fixed amount only has no costs to show
        rows.append(_row("out", pictograms.ARROW_OUT, pict, COSTS, amount_html(run.costs, signed=True)))
    if run.recovered:
        rows.append(
            _row("in", pictograms.ARROW_IN, pictograms.HAND, RECOVERED, amount_html(-run.recovered, signed=True),
                 RECOVERED_SUB.fr, RECOVERED_SUB.ar)
        )  # fmt: skip
    if run.fixed:
        months = (run.ends_on.year - run.starts_on.year) * 12 + run.ends_on.month - run.starts_on.month + 1
        monthly = run.fixed / months
        icon = pictograms.RECEIPT if rows else pict
        rows.append(
            _row("out", pictograms.ARROW_OUT, icon, FIXED, amount_html(run.fixed, signed=True),
                 f"{format_amount(monthly)} DH × {months} {MONTHS.fr}",
                 format_html('<span dir="ltr">{} × {}</span> {}', format_amount(monthly), months, months_ar(months)))
        )  # fmt: skip
    rows.append(_row("balance", pictograms.COINS, "", TO_SHARE, amount_html(run.amount)))
    return rows


def due_rows(share: Share, vat_label: str) -> list[dict[str, Any]]:
    """The member's share, its VAT (none for débours) and the amount due."""
    # what the member owes: the legend's coins ("À payer"), not the red arrow of what the GIE spent
    rows = [_row("balance", pictograms.COINS, pictograms.PERSON, YOUR_SHARE, amount_html(share.share))]
    if share.vat or not share.run.pool.is_debours:
        rows.append(
            _row("balance", pictograms.COINS, pictograms.RECEIPT, Words(f"{VAT.fr} {vat_label}", VAT.ar),
                 amount_html(share.vat), "", _ltr(vat_label))
        )  # fmt: skip
    due = share.total
    if share.credit_note is not None:  # the run was undone: the credit note takes it back, nothing is due
        credited = share.credit_note.total_gross
        rows.append(
            _row("in", pictograms.ARROW_IN, pictograms.RECEIPT, Words(f"{CREDITED.fr} {share.credit_note.number}",
                 CREDITED.ar), amount_html(-credited, signed=True), "", _ltr(share.credit_note.number))
        )  # fmt: skip
        due -= credited
        paid = share.document.amount_paid if share.document is not None else ZERO
        if paid > 0:  # paid before the undo: what it paid is now owed to it, not "0,00 to pay"
            rows.append(_row("in", pictograms.ARROW_IN, pictograms.INVOICE_PAID, PAID, amount_html(-paid, signed=True)))
            due -= paid
        if due < 0:
            rows.append(
                _row("in", pictograms.ARROW_IN, pictograms.COINS, IN_FAVOUR, amount_html(-due), IN_FAVOUR_SUB.fr,
                     IN_FAVOUR_SUB.ar)
            )  # fmt: skip
            rows[-1]["is_closing"] = True
            return rows
    rows.append(_row("balance", pictograms.COINS, "", DUE, amount_html(max(due, ZERO))))
    rows[-1]["is_closing"] = True
    return rows


def _vat_label(share: Share) -> str:
    """``20 %`` from the share's own figures (the rate its invoice line applied)."""
    if not share.share:
        return "0 %"
    rate = (share.vat * 100 / share.share).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{rate} %"


def why_context(share: Share, total_weight: Decimal, members: int) -> dict[str, Any]:
    """The member's weight against the run's, in words of its key, a bar, dots and the sum that gives its share."""
    run = share.run
    words = KEY_WORDS.get(Key(run.key), KEY_WORDS[Key.CUSTOM])
    weight = format_weight(share.weight, is_money=words.is_money)
    total = format_weight(total_weight, is_money=words.is_money)
    pct = percent(share.weight, total_weight)
    pct_text = f"{format_amount(pct)} %"
    if run.key == Key.EQUAL:
        you_fr = f"{YOU.fr} : 1 {words.unit_fr} {OUT_OF.fr} {members} {MEMBERS.fr}"
        you_ar = format_html("{} : <span dir=\"ltr\">1</span> {} <span dir=\"ltr\">{}</span>", YOU.ar, OUT_OF.ar,
                             members)  # fmt: skip
    else:
        you_fr = f"{YOU.fr} : {weight} {words.unit_fr} {OUT_OF.fr} {total}"
        you_ar = format_html('{} : <span dir="ltr">{}</span> {} <span dir="ltr">{}</span>', YOU.ar, weight,
                             OUT_OF.ar, total)  # fmt: skip
    formula = (
        f"{format_amount(run.amount)} × {weight} / {total} = {format_amount(share.share)} DH"
        f" ({format_amount(share.exact.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP))}…)"
        if share.exact != share.share
        else f"{format_amount(run.amount)} × {weight} / {total} = {format_amount(share.share)} DH"
    )
    return {
        "key": words.key,
        "you_fr": you_fr,
        "you_ar": you_ar,
        "percent": pct_text,
        "bar": min(max(pct, Decimal("0.8")), Decimal(100)),
        "dots": dots(share.weight, total_weight),
        "formula": formula,
    }


def notice_context(share: Share, *, printed_on: date, language: str | None = None) -> dict[str, Any]:
    """Everything the notice prints, already formatted: the template holds no rule."""
    share = Share.objects.select_related("run__pool", "organization__commune", "document", "credit_note").get(
        pk=share.pk
    )
    run, org, pool, document = share.run, share.organization, share.run.pool, share.document
    language = language or notice_language(org)
    totals = run.shares.aggregate(weight=Sum("weight"))
    members = run.shares.count()
    pict = pool_pictogram(pool.pictogram)
    commune = org.commune
    period = f"{format_day(run.starts_on)} - {format_day(run.ends_on)}"
    return {
        "w": WORDS,
        "org": org,
        "pool": pool,
        "lead": language,
        "commune_fr": commune.name_fr if commune else "",
        "commune_ar": commune.name_ar if commune else "",
        "pict": pict,
        "period": period,
        "spent_rows": spent_rows(run, pict),
        "why": why_context(share, totals["weight"] or ZERO, members),
        "due_rows": due_rows(share, _vat_label(share)),
        "is_debours": pool.is_debours,
        "invoice_number": document.number if document is not None else "",
        "invoice_day": format_day(document.issued_on) if document is not None else "",
        "invoice_due": format_day(document.due_on) if document is not None and document.due_on else "",
        "credit_note": share.credit_note.number if share.credit_note is not None else "",
        "legend": [
            (pictograms.ARROW_OUT, LEGEND_COST),
            (pictograms.ARROW_IN, LEGEND_IN),
            (pictograms.COINS, LEGEND_DUE),
        ],
        "means": MEANS,
        "qr": qr_svg(notice_url()),
        "printed_on": format_day(printed_on),
        "reference": f"{pool.slug} · {run.starts_on:%Y-%m}..{run.ends_on:%Y-%m} · {org.slug} · {share.pk}",
    }


def notice_html(share: Share, *, printed_on: date, language: str | None = None) -> str:
    return render_to_string("fees/notice.html", notice_context(share, printed_on=printed_on, language=language))


def notice_pdf(share: Share, *, printed_on: date, language: str | None = None) -> bytes:
    """One A4 page as PDF bytes (raises PdfRenderError if WeasyPrint warns, PageOverflow past one page)."""
    html = notice_html(share, printed_on=printed_on, language=language)
    return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[BILINGUAL_CSS, NOTICE_CSS], max_pages=1)
