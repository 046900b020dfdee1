"""Template filters of the ledger pages: account names in the page's language."""

from django import template
from django.utils import translation

from ledger.chart import account_name, chart_by_code

register = template.Library()


@register.filter
def account_label(code: str) -> str:
    """The chart's name of an account, in Arabic on Arabic pages."""
    return account_name(str(code), (translation.get_language() or "fr")[:2])


@register.filter
def in_chart(code: str) -> bool:
    """True for an account of the chart (a computed line such as the year's result, 119, has no general ledger)."""
    return str(code) in chart_by_code()
