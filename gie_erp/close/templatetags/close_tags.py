"""Filters of the close pages: a month's name, a grid cell's reasons, a blocker in a given language."""

from datetime import date
from typing import Any

from django import template
from django.utils.formats import date_format

from gie_erp.core.closing import Blocker

register = template.Library()


@register.filter
def month_name(month: int) -> str:
    """1 → « janvier » (in the active language)."""
    return date_format(date(2000, int(month), 1), "F")


@register.filter
def reasons_of(reasons: dict[int, list[Blocker]], month: int) -> list[Blocker]:
    return reasons.get(int(month), [])


@register.filter
def message_in(blocker: Blocker, language: str) -> str:
    return blocker.message(language)


__all__: list[Any] = ["register"]
