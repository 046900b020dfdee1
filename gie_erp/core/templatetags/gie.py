"""Template filters: amounts and dates in the Moroccan formats, in the active language."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gie_erp.core.i18n import CURRENCY_LABEL, format_amount, format_month, organization_name
from gie_erp.core.money import from_centimes

register = template.Library()


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


@register.filter
def mad(value: Any, currency: str = "") -> SafeString | str:
    """``1 234,50`` in a left-to-right span (Arabic pages keep the digits in order); with ``"DH"`` the currency
    follows in the page's own direction: ``1 234,50 DH``, or in Arabic ``درهم`` on the left of the number."""
    if value is None or value == "":
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    language = _language()
    number = format_html('<span class="amount" dir="ltr">{}</span>', format_amount(amount, language=language))
    if not currency:
        return number
    return format_html("{}\u00a0{}", number, CURRENCY_LABEL.get(language, "DH"))


@register.filter
def mad_or_blank(value: Any) -> SafeString | str:
    """An amount, or nothing for zero (trial balances read better without rows of 0,00)."""
    if not value:
        return ""
    return mad(value)


@register.filter
def centimes(value: int) -> SafeString | str:
    return mad(from_centimes(int(value or 0)))


@register.filter
def dmy(value: date | None) -> str:
    """31/03/2026, the date format of Moroccan documents, in every language."""
    return value.strftime("%d/%m/%Y") if value else ""


@register.filter
def month_label(value: date) -> str:
    return format_month(value, _language())


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping|get_item:key`` — dictionaries keyed by ids in templates."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def org_name(organization: Any) -> str:
    """An organization's legal name in the page's language: Arabic where we have it, else French."""
    if organization is None or organization == "":
        return ""
    return organization_name(organization, _language())


@register.filter
def css_string(value: Any) -> SafeString:
    """Text for a CSS ``content: "…"`` string (print headers): everything but letters, digits and plain punctuation
    written as a CSS escape, so no quote, backslash, ``<`` or line break can leave the string or the style block."""
    text = " ".join(str(value).split())
    return mark_safe("".join(ch if ch.isalnum() or ch in " -–·:/.,()" else f"\\{ord(ch):06x}" for ch in text))  # noqa: S308 - escaped above
