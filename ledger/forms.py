"""Forms of the accountant's ledger pages. Parsing only: the rules live in the posting service."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gie_erp.core.forms import AmountField
from gie_erp.core.money import is_mad
from ledger.chart import chart_by_code
from ledger.models import Journal
from members.models import Organization


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def range(self, today: date) -> tuple[date, date]:
        """The chosen range, defaulting to the current year up to today."""
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or date(today.year, 1, 1)
        end = data.get("end") or today
        return (start, end) if start <= end else (end, start)


class EntryFilterForm(forms.Form):
    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    journal = forms.ChoiceField(label=_("Journal"), required=False, choices=[("", "—"), *Journal.choices])
    account = forms.CharField(label=_("Compte"), required=False, max_length=10)
    amount = AmountField(label=_("Montant"), required=False)
    q = forms.CharField(label=_("Texte"), required=False, max_length=100)
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), required=False, queryset=Organization.objects.all(), to_field_name="slug"
    )


class EntryForm(forms.Form):
    posted_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    journal = forms.ChoiceField(label=_("Journal"), choices=Journal.choices, initial=Journal.MISC)
    description = forms.CharField(label=_("Libellé"), max_length=120)
    source_ref = forms.CharField(label=_("Pièce (référence)"), max_length=120)
    attachment = forms.FileField(label=_("Pièce justificative (scan)"), required=False)


def _amount(value: Decimal | None) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if not is_mad(value) or value < 0:
        raise ValidationError(_("Montant positif, 2 décimales au plus."))
    return value.quantize(Decimal("0.01"))


class LineForm(forms.Form):
    account_code = forms.CharField(label=_("Compte"), max_length=10, required=False)
    debit = AmountField(label=_("Débit"), required=False, min_value=0)
    credit = AmountField(label=_("Crédit"), required=False, min_value=0)
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), required=False, queryset=Organization.objects.all(), to_field_name="slug"
    )

    def clean_account_code(self) -> str:
        code = (self.cleaned_data.get("account_code") or "").split(" ")[0].strip()
        if code and code not in chart_by_code():
            raise ValidationError(_("Compte inconnu du plan comptable : %(value)s."), params={"value": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        debit, credit = _amount(data.get("debit")), _amount(data.get("credit"))
        data["debit"], data["credit"] = debit, credit
        if data.get("account_code") and (debit > 0) == (credit > 0):
            raise ValidationError(_("Chaque ligne porte un débit ou un crédit, pas les deux."))
        if not data.get("account_code") and (debit or credit):
            raise ValidationError(_("Choisissez un compte pour ce montant."))
        return data


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=2, validate_min=False, max_num=200)


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=200)
