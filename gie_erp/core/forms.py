"""Form fields shared by every app."""

from decimal import Decimal
from typing import Any

from django import forms


class AmountField(forms.DecimalField):
    """A MAD amount typed the French way or the English way: ``1 234,50``, ``1234.50``, ``1 234.5``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # django-stubs types it as int
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)
