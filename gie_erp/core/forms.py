"""Form fields shared by every app."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.money import MAX_AMOUNT


class AmountField(forms.Field):
    """A MAD amount in the one grammar of ``gie_erp.core.amounts`` (``1 234,50``, ``1.234,50``, ``1,234.50``…);
    a refusal says why (``1.234`` is ambiguous, ``1e3`` is not an amount, three decimals are too many)."""

    def __init__(self, *, allow_negative: bool = False, maximum: Decimal = MAX_AMOUNT, **kwargs: Any) -> None:
        kwargs.pop("min_value", None)  # the grammar refuses negatives unless allowed
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        self.allow_negative = allow_negative
        self.maximum = maximum
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "data-amount": "", "maxlength": "40"})
        return attrs

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > 40:
            text = text[:40] + "…"  # shown in the refusal; never a valid amount
        try:
            return parse_amount(text, allow_negative=self.allow_negative, maximum=self.maximum)
        except AmountError as error:
            raise ValidationError(error.message(), code=error.code.value) from None

    def prepare_value(self, value: Any) -> Any:
        """An initial amount with a decimal comma, as people write it here (``1234,50``, not ``1234.50``; no
        thousands spaces, so the figure edits as one word), in every language; the grammar reads it back. What a
        person typed is shown again as typed."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value
