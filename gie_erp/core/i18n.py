"""Language facts Django does not ship: Moroccan Arabic month names, number and amount formats."""

from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

#: Moroccan (Maghreb) month names; Django ships the Mashriq ones (كانون الثاني…).
MOROCCAN_ARABIC_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
)
FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
NARROW_NBSP = "\u202f"
CURRENCY_LABEL = {"fr": "DH", "ar": "درهم", "zgh": "DH"}


def month_name(month: int, language: str) -> str:
    """The month's name in French or Moroccan Arabic (Tamazight statements use the French one)."""
    names = MOROCCAN_ARABIC_MONTHS if language == "ar" else FRENCH_MONTHS
    return names[month - 1]


def format_month(day: date, language: str) -> str:
    return f"{month_name(day.month, language)} {day.year}"


def format_amount(amount: Decimal, *, currency: bool = False, language: str = "fr") -> str:
    """``1 234 567,50`` with narrow no-break spaces and a comma, Western digits in every language.

    Arabic text keeps Western digits, as used in Morocco; callers wrap the result in a left-to-right span.
    """
    text = format_decimal(abs(amount), format="#,##0.00", locale="fr_FR").replace("\u202f", NARROW_NBSP)
    text = text.replace("\xa0", NARROW_NBSP).replace(" ", NARROW_NBSP)
    if amount < 0:
        text = "-" + text
    if currency:
        text = f"{text}{NARROW_NBSP}{CURRENCY_LABEL.get(language, 'DH')}"
    return text


def format_signed_amount(amount: Decimal) -> str:
    """``+ 4 934,51`` or ``- 2 076,34`` (zero has no sign): the sign is always written, in ASCII.

    The sign is followed by a narrow no-break space so it stays with the digits; U+2212 is avoided because the
    shipped Latin font lacks it (a fallback font would be embedded).
    """
    if amount == 0:
        return format_amount(amount)
    sign = "+" if amount > 0 else "-"
    return f"{sign}{NARROW_NBSP}{format_amount(abs(amount))}"


def format_day(day: date) -> str:
    """``05/03/2026``: the numeric date every reader knows, the same in French and Arabic text."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def organization_name(organization: Any, language: str | None) -> str:
    """An organization's legal name in a language: Arabic where we have it, else French."""
    arabic = getattr(organization, "legal_name_ar", "")
    if (language or "")[:2] == "ar" and arabic:
        return str(arabic)
    return str(getattr(organization, "legal_name_fr", organization))
