"""Template filters of the sales pages: rates in percent, quantities as people write them, a bilingual name."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation

from sales.quantities import format_quantity

register = template.Library()


@register.filter
def percent(rate: Any) -> str:
    """0.1000 → ``10 %``, 0.0750 → ``7,5 %`` (a fraction as the model keeps it, in percent as people read it)."""
    if rate is None or rate == "":
        return ""
    value = (Decimal(str(rate)) * 100).normalize()
    return f"{value:f}".replace(".", ",") + "\u00a0%"


@register.filter
def qty(value: Any) -> str:
    """``12``, ``2,5``: a quantity without trailing zeros."""
    if value is None or value == "":
        return ""
    return format_quantity(Decimal(str(value)))


@register.filter
def local_name(obj: Any) -> str:
    """An event's, channel's or product's name in the page's language (``name_ar`` in Arabic when there is one)."""
    if obj is None:
        return ""
    arabic = getattr(obj, "name_ar", "")
    if (translation.get_language() or "fr")[:2] == "ar" and arabic:
        return str(arabic)
    return str(getattr(obj, "name_fr", obj))
