"""Template filters of the ledger pages: account names in the page's language."""

from django import template
from django.utils import translation

from ledger.chart import account_name

register = template.Library()


@register.filter
def account_label(code: str) -> str:
    """The chart's name of an account, in Arabic on Arabic pages."""
    return account_name(str(code), (translation.get_language() or "fr")[:2])
