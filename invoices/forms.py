"""Forms of the invoicing pages: the fields that parse quantities, prices, percentages and parties, documents and
their lines, credit notes (payments: ``invoices/payment_forms.py``; the lists' filters: ``invoices/filters.py``).
Parsing only: the rules (numbering, rates in force, what may be credited or allocated) live in the services; the
forms check what a person typed so that an odd value gets a message on its field, never an error page."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gie_erp.core.amounts import SPACES, AmountError, parse_amount
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.money import MAX_AMOUNT
from invoices.models import DocumentLine, Party, VatRate
from invoices.services import EXEMPT_CODE, STANDARD_CODE, LineInput, vat_rate_on
from invoices.totals import LineAmounts, line_amounts
from ledger.forms import BoundedDateField
from members.models import Organization

MAX_LINES = 200
MAX_QUANTITY = Decimal("999999999.999")  # DocumentLine.quantity: 12 digits, 3 places
MIN_QUANTITY = Decimal("0.001")
_QUANTITY = re.compile(r"\d{1,9}(?:[.,]\d{1,3})?")
_PRICE_DECIMALS = re.compile(r"\+?(\d{1,9})[.,](\d{3,4})")  # a unit price may carry 4 decimals (10,1250)
_PERCENT = re.compile(r"(\d{1,3})(?:[.,](\d{1,2}))?")
_GROUPED = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?")

PAYMENT_STATE_LABELS = {
    "paid": _("Payée"),
    "partly_paid": _("Partiellement payée"),
    "unpaid": _("Non payée"),
}


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _plain(text: str) -> str:
    """Typed text with its no-break spaces made plain, thousands spaces dropped when they group by threes."""
    body = str(text).strip()
    for space in SPACES[:-1]:
        body = body.replace(space, " ")
    if _GROUPED.fullmatch(body):
        body = body.replace(" ", "")
    return body


def parse_quantity(text: str) -> Decimal:
    """``2``, ``2,5``, ``1.250`` (a quantity has no thousands mark: the mark is the decimal one), 3 decimals at
    most, from 0.001 to 999 999 999.999."""
    body = _plain(text)
    if not _QUANTITY.fullmatch(body):
        raise ValidationError(
            _("« %(value)s » n'est pas une quantité : écrivez par exemple 2 ou 2,5 (3 décimales au plus)."),
            params={"value": str(text)[:40]},
            code="quantity",
        )
    value = Decimal(body.replace(",", "."))
    if value < MIN_QUANTITY:
        raise ValidationError(_("La quantité doit être positive."), code="quantity_zero")
    return value


def parse_unit_price(text: str) -> Decimal:
    """The amount grammar of every form (``gie_erp.core.amounts``), with up to 4 decimals for a unit price."""
    try:
        return parse_amount(text)
    except AmountError as error:
        if error.code != ErrorCode.AMOUNT_DECIMALS:
            raise ValidationError(error.message(), code=error.code.value) from None
        match = _PRICE_DECIMALS.fullmatch(_plain(text))
        if match is None:
            raise ValidationError(error.message(), code=error.code.value) from None
        return Decimal(f"{match.group(1)}.{match.group(2)}")


def parse_percent(text: str) -> Decimal:
    """A discount typed in percent (``10``, ``12,5``), as the fraction the model keeps (0.1250)."""
    body = _plain(text).rstrip("%").strip()
    match = _PERCENT.fullmatch(body)
    value = Decimal(f"{match.group(1)}.{match.group(2) or '0'}") if match else None
    if value is None or value > 100:
        raise ValidationError(
            _("« %(value)s » : une remise s'écrit en pourcentage, de 0 à 100 (2 décimales au plus)."),
            params={"value": str(text)[:40]},
            code="percent",
        )
    return (value / 100).quantize(Decimal("0.0001"))


class QuantityField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        return parse_quantity(text) if text else None


class UnitPriceField(QuantityField):
    def clean(self, value: Any) -> Decimal | None:
        text = forms.CharField.clean(self, value)
        return parse_unit_price(text) if text else None


class PercentField(QuantityField):
    def clean(self, value: Any) -> Decimal | None:
        text = forms.CharField.clean(self, value)
        return parse_percent(text) if text else None


def party_resolve(text: str) -> Party | None:
    """The party a person picked or typed: its code (what the search list fills in), its ICE, its number in the
    register, or a name only one party bears."""
    typed = str(text or "").strip()[:200]
    if not typed:
        return None
    code = typed.split(" — ", 1)[0].strip()
    found = Party.objects.filter(code__iexact=code).first()
    if found is None and code.isdigit() and len(code) == 15:
        found = Party.objects.filter(ice=code).first()
    if found is None and code.isdigit() and len(code) <= 9:
        found = Party.objects.filter(pk=int(code)).first()
    if found is None:
        named = list(Party.objects.filter(Q(legal_name_fr__iexact=typed) | Q(legal_name_ar=typed))[:2])
        found = named[0] if len(named) == 1 else None
    return found


class PartyField(forms.CharField):
    """A party of the register, typed or picked in the search-as-you-type list (never a <select> of every party)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=200, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "autocomplete": "off", "list": "party-options", "dir": "auto"}

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Party) else value

    def clean(self, value: Any) -> Party | None:
        text = super().clean(value)
        if not text:
            return None
        party = party_resolve(text)
        if party is None:
            raise ValidationError(
                _("Client introuvable : « %(value)s ». Tapez son nom, son code ou son ICE, puis choisissez-le."),
                params={"value": text[:60]},
                code="party",
            )
        return party


class IssuerField(forms.ModelChoiceField[Organization]):
    def label_from_instance(self, obj: Organization) -> str:
        if obj.is_gie:
            return obj.legal_name_fr
        return str(_("%(name)s (au nom du membre, mandat)") % {"name": obj.legal_name_fr})


# Documents ---------------------------------------------------------------------------------------------------------


class DocumentForm(forms.Form):
    """A draft's header. The customer is searched as typed; the VAT rates offered depend on the date and issuer."""

    issuer = IssuerField(label=_("Émetteur"), queryset=Organization.objects.order_by("kind", "legal_name_fr"))
    customer = PartyField(label=_("Client"))
    issued_on = BoundedDateField(label=_("Date"), widget=date_widget())
    due_on = BoundedDateField(label=_("Échéance"), required=False, widget=date_widget())
    payment_terms = forms.CharField(
        label=_("Conditions de paiement"),
        max_length=200,
        required=False,
        help_text=_("Vide : selon le délai du client (« Paiement à 30 jours »)."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued_on, due_on = data.get("issued_on"), data.get("due_on")
        if issued_on and due_on and due_on < issued_on:
            self.add_error("due_on", _("L'échéance ne peut pas précéder la date du document."))
        return data


def vat_choices() -> list[tuple[str, str]]:
    """Every VAT code once, with the label of its latest version (the script keeps those in force on the date)."""
    labels: dict[str, str] = {}
    for rate in VatRate.objects.order_by("-rate", "code", "valid_from"):
        labels[rate.code] = rate.label_fr
    return list(labels.items())


NUMBERS = ("quantity", "unit_price", "discount")


class LineForm(forms.Form):
    """One line; a line left entirely blank is skipped. Quantities and prices in the amount grammar."""

    description = forms.CharField(label=_("Désignation"), max_length=200, required=False)
    description_ar = forms.CharField(label=_("Désignation (arabe)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Nature"), choices=DocumentLine.Kind.choices, required=False)
    quantity = QuantityField(label=_("Quantité"), required=False)
    unit = forms.CharField(label=_("Unité"), max_length=20, required=False)
    unit_price = UnitPriceField(label=_("Prix unitaire HT"), required=False)
    discount = PercentField(label=_("Remise"), required=False)
    vat_code = forms.ChoiceField(label=_("TVA"), choices=(), required=False)

    def __init__(self, *args: Any, vat_codes: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vat_code"].choices = list(vat_codes)  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # a cell has no <label>: its name is said by aria-label
            css = f"line-{name}" + (" num" if name in NUMBERS else "")
            field.widget.attrs.update({"aria-label": str(field.label), "class": css})
        self.fields["description_ar"].widget.attrs.update({"dir": "rtl", "lang": "ar"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = [name for name in ("description", "description_ar", "quantity", "unit", "unit_price") if data.get(name)]
        data["is_empty"] = not typed and not self.errors
        if data["is_empty"]:
            return data
        for name, message in (
            ("description", _("Saisissez la désignation.")),
            ("quantity", _("Saisissez la quantité.")),
            ("unit_price", _("Saisissez le prix unitaire HT.")),
        ):
            if name not in self.errors and data.get(name) in (None, ""):
                self.add_error(name, message)
        return data


class BaseLineFormSet(forms.BaseFormSet[LineForm]):
    def __init__(self, *args: Any, vat_codes: Sequence[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        self.vat_codes = list(vat_codes if vat_codes is not None else vat_choices())
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "vat_codes": self.vat_codes}

    def filled(self) -> Iterator[LineForm]:
        """The lines a person typed something in (after ``is_valid``)."""
        for form in self.forms:
            if not form.cleaned_data.get("is_empty", True):
                yield form

    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(not form.cleaned_data.get("is_empty", True) for form in self.forms):
            raise ValidationError(_("Saisissez au moins une ligne."), code="no_line")

    def check_for(self, *, issuer: Organization, issued_on: date) -> bool:
        """The rates against the issuer and the date, and the amounts against the largest one a book holds; each
        refusal on its line. True when every line passes."""
        exempt = issuer.vat_status == Organization.VatStatus.EXEMPT
        total = Decimal(0)
        for form in self.filled():
            data = form.cleaned_data
            code = data.get("vat_code") or (EXEMPT_CODE if exempt else STANDARD_CODE)
            if exempt and code != EXEMPT_CODE:
                error = DomainError(ErrorCode.EXEMPT_ISSUER_VAT, issuer=issuer.legal_name_fr)
                form.add_error("vat_code", error.message())
                continue
            try:
                rate = vat_rate_on(code, issued_on)
            except DomainError as error:
                form.add_error("vat_code", error.message())
                continue
            amounts = line_amounts(
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                discount_rate=data.get("discount") or Decimal(0),
                vat_rate=rate.rate,
            )
            if amounts.gross > MAX_AMOUNT:
                form.add_error(None, too_large())
                continue
            total += amounts.gross
        if total > MAX_AMOUNT and not any(self.errors):
            self._non_form_errors = self.error_class([too_large()])
        return not any(self.errors) and not self.non_form_errors()

    def line_inputs(self) -> list[LineInput]:
        return [
            LineInput(
                description=form.cleaned_data["description"],
                description_ar=form.cleaned_data.get("description_ar") or "",
                quantity=form.cleaned_data["quantity"],
                unit_price=form.cleaned_data["unit_price"],
                discount_rate=form.cleaned_data.get("discount") or Decimal(0),
                vat_code=form.cleaned_data.get("vat_code") or None,
                kind=form.cleaned_data.get("kind") or None,
                unit=form.cleaned_data.get("unit") or "",
            )
            for form in self.filled()
        ]


def too_large() -> str:
    limit = f"{MAX_AMOUNT:,.2f}".replace(",", "\u202f").replace(".", ",")
    return str(_("Montant trop grand : une ligne ou un document ne dépasse pas %(limit)s.") % {"limit": limit})


LineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(
        LineForm,
        formset=BaseLineFormSet,
        extra=0,
        min_num=1,
        validate_min=False,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
    ),
)


def decimal_text(value: Decimal) -> str:
    """A stored quantity or price as a person would type it back: ``2,5``, ``10,125``, ``33,33`` (no trailing
    zeros past the centimes, a comma)."""
    text = format(value.normalize(), "f")
    integer, _dot, decimals = text.partition(".")
    return integer if not decimals else f"{integer},{decimals}"


def price_text(value: Decimal) -> str:
    text = decimal_text(value)
    integer, _comma, decimals = text.partition(",")
    return f"{integer},{decimals.ljust(2, '0')}"


def percent_text(rate: Decimal) -> str:
    return "" if not rate else decimal_text(rate * 100)


def line_initial(line: DocumentLine) -> dict[str, Any]:
    """A stored line as the form shows it again."""
    return {
        "description": line.description,
        "description_ar": line.description_ar,
        "kind": line.kind,
        "quantity": decimal_text(line.quantity),
        "unit": line.unit,
        "unit_price": price_text(line.unit_price),
        "discount": percent_text(line.discount_rate),
        "vat_code": line.vat_rate.code,
    }


# Credit notes ------------------------------------------------------------------------------------------------------


class CreditForm(forms.Form):
    issued_on = BoundedDateField(label=_("Date de l'avoir"), widget=date_widget())
    note = forms.CharField(label=_("Motif"), max_length=500, required=False)


class CreditLineForm(forms.Form):
    quantity = QuantityField(label=_("Quantité à créditer"), required=False)


CreditLineFormSet = forms.formset_factory(CreditLineForm, extra=0, max_num=MAX_LINES, absolute_max=MAX_LINES)


@dataclass(frozen=True, slots=True)
class CreditLine:
    """An invoice line and what a credit note takes back of it."""

    line: DocumentLine
    quantity: Decimal

    @property
    def amounts(self) -> LineAmounts:
        return line_amounts(
            quantity=self.quantity,
            unit_price=self.line.unit_price,
            discount_rate=self.line.discount_rate,
            vat_rate=self.line.vat_rate.rate,
        )

    def line_input(self) -> LineInput:
        line = self.line
        return LineInput(
            description=line.description,
            description_ar=line.description_ar,
            quantity=self.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_rate=line.discount_rate,
            vat_code=line.vat_rate.code,
            kind=line.kind,
            account_code=line.account_code,
        )


def credit_lines(formset: Any, lines: Sequence[DocumentLine]) -> list[CreditLine] | None:
    """The quantities typed against the invoice's lines (each at most the invoiced one); None when one is wrong
    (its error is on its field)."""
    chosen: list[CreditLine] = []
    for form, line in zip(formset.forms, lines, strict=False):
        quantity = form.cleaned_data.get("quantity")
        if quantity is None:
            continue
        if quantity > line.quantity:
            form.add_error(
                "quantity",
                _("Au plus la quantité facturée (%(quantity)s).") % {"quantity": decimal_text(line.quantity)},
            )
            continue
        chosen.append(CreditLine(line=line, quantity=quantity))
    if any(formset.errors):
        return None
    return chosen
