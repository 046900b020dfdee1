"""The open figures' one-page summary, in French and Arabic side by side, on the shared PDF base
(``gie_erp.core.pdf``): the year's totals as published (a withheld total reads "—")."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from gie_erp.core.pdf import amount_html, render_pdf
from gie_erp.indicators.disclosure import TOTAL
from gie_erp.indicators.open_data import Indicator

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "indicators" / "pdf"
STYLESHEET = TEMPLATE_DIR / "summary.css"


@dataclass(frozen=True, slots=True)
class Line:
    label_fr: str
    label_ar: str
    value: SafeString | str


def _shown(value: Decimal | int | None, unit: str) -> SafeString | str:
    if value is None:
        return "—"
    if unit == "MAD":
        return amount_html(Decimal(value))
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{value:,}".replace(",", "\u202f")


def summary_lines(items: list[Indicator]) -> list[Line]:
    by_id = {indicator.id: indicator for indicator in items}
    members = by_id["members_by_sector"]
    people = by_id["cooperators_by_sector_gender"]
    trained = by_id["training_participants_by_age_gender"]
    hours = by_id["training_hours_by_gender"]
    sales, fees = by_id["sales_by_sector_quarter"], by_id["fees_by_sector"]
    return [
        Line("Coopératives membres", "التعاونيات الأعضاء", _shown(members.value(TOTAL, TOTAL), "cooperatives")),
        Line("dont coopératives féminines", "منها تعاونيات نسوية", _shown(members.value(TOTAL, "women"), "")),
        Line("Coopératrices", "المتعاونات", _shown(people.value(TOTAL, "f"), "people")),
        Line("Coopérateurs", "المتعاونون", _shown(people.value(TOTAL, "m"), "people")),
        Line("Ventes par le GIE (TTC)", "المبيعات عبر المجموعة", _shown(sales.value(TOTAL, TOTAL), "MAD")),
        Line("Quotes-parts facturées (HT)", "الحصص المفوترة", _shown(fees.value(TOTAL, TOTAL), "MAD")),
        Line("Femmes formées", "النساء المستفيدات من التكوين", _shown(trained.value(TOTAL, "f"), "people")),
        Line("Hommes formés", "الرجال المستفيدون من التكوين", _shown(trained.value(TOTAL, "m"), "people")),
        Line("Heures de formation", "ساعات التكوين", _shown(hours.value(TOTAL, TOTAL), "hours")),
    ]


def summary_pdf(items: list[Indicator], year: int, generated_on: date, organization: str) -> bytes:
    html = render_to_string(
        "indicators/pdf/summary.html",
        {
            "year": year,
            "lines": summary_lines(items),
            "items": items,
            "generated_on": f"{generated_on:%d/%m/%Y}",
            "organization": organization,
        },
    )
    return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[STYLESHEET], max_pages=1)
