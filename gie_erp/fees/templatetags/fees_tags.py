"""The fees pages' own formats: an exact share to its six places, read like the amounts around it."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from gie_erp.fees.shares import EXACT_PLACES, format_exact

register = template.Library()


@register.filter
def exact(value: Any) -> SafeString | str:
    """``1 030,782885``: grouped by thousands with a decimal comma like ``mad``, every place kept (it is for reading:
    the rounded share is what is billed), in a left-to-right span."""
    if value is None or value == "":
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return format_html('<span class="amount" dir="ltr">{}</span>', format_exact(amount.quantize(EXACT_PLACES)))
