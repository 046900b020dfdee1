"""Forms of the accountant's ledger pages. Parsing only: the rules live in the posting service."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gie_erp.core.dates import earliest_date, latest_date
from gie_erp.core.errors import ErrorCode, error_message
from gie_erp.core.forms import AmountField
from gie_erp.core.money import is_mad
from gie_erp.core.uploads import ScanField
from ledger.chart import account_resolve
from ledger.models import MANUAL_JOURNALS, Journal
from ledger.posting import TAG_PATTERN
from members.models import Organization


class BoundedDateField(forms.DateField):
    """A date between the GIE's earliest date and the last year pages may ask for (``0001-01-01`` is a typo)."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not earliest_date() <= value <= latest_date():
            raise ValidationError(
                _("Date hors des limites : entre le %(first)s et le %(last)s."),
                params={"first": f"{earliest_date():%d/%m/%Y}", "last": f"{latest_date():%d/%m/%Y}"},
            )


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateRangeForm(forms.Form):
    start = BoundedDateField(label=_("Du"), required=False, widget=_date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=_date_widget())

    def range(self, today: date) -> tuple[date, date]:
        """The chosen range, defaulting to the current year up to today."""
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or date(today.year, 1, 1)
        end = data.get("end") or today
        return (start, end) if start <= end else (end, start)


class EntryFilterForm(forms.Form):
    start = BoundedDateField(label=_("Du"), required=False, widget=_date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=_date_widget())
    journal = forms.ChoiceField(label=_("Journal"), required=False, choices=[("", "—"), *Journal.choices])
    account = forms.CharField(label=_("Compte"), required=False, max_length=10)
    amount = AmountField(label=_("Montant"), required=False)
    q = forms.CharField(label=_("Texte"), required=False, max_length=100)
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), required=False, queryset=Organization.objects.all(), to_field_name="slug"
    )


class EntryForm(forms.Form):
    posted_on = BoundedDateField(label=_("Date"), widget=_date_widget())
    journal = forms.ChoiceField(label=_("Journal"), choices=MANUAL_JOURNALS, initial=Journal.MISC)
    description = forms.CharField(label=_("Libellé"), max_length=120)
    source_ref = forms.CharField(label=_("Pièce (référence)"), max_length=120)
    attachment = ScanField(label=_("Pièce justificative (scan PDF, JPEG ou PNG)"), required=False)


def clean_tag_value(typed: str) -> str:
    """An analytic tag as typed (blank allowed), folded to lower case; a bad one is a ValidationError that says why."""
    tag = typed.strip().lower()
    if tag and not TAG_PATTERN.match(tag):
        raise ValidationError(error_message(ErrorCode.BAD_TAG, {"value": typed.strip()[:90]}))
    return tag


def _amount(value: Decimal | None) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if not is_mad(value) or value < 0:
        raise ValidationError(_("Montant positif, 2 décimales au plus."))
    return value.quantize(Decimal("0.01"))


class LineForm(forms.Form):
    account_code = forms.CharField(label=_("Compte"), max_length=200, required=False)
    debit = AmountField(label=_("Débit"), required=False)
    credit = AmountField(label=_("Crédit"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), required=False, queryset=Organization.objects.all(), to_field_name="slug"
    )
    tag = forms.CharField(label=_("Étiquette analytique"), max_length=200, required=False)

    def clean_tag(self) -> str:
        """Optional; lower-case words joined by ``:``, ``-``, ``_`` or ``.`` (``training:compta-2026-03``). Capitals
        are folded; anything else is refused with the posting service's own words."""
        return clean_tag_value(self.cleaned_data.get("tag") or "")

    def clean_account_code(self) -> str:
        """A code, a picked option (``5141 Banques``) or a name only one account matches."""
        typed = self.cleaned_data.get("account_code") or ""
        if not typed.strip():
            return ""
        account, candidates = account_resolve(typed)
        if account is not None:
            return account.code
        shown = typed.strip()[:40]
        if not candidates:
            raise ValidationError(_("Compte %(value)s inconnu du plan comptable."), params={"value": shown})
        raise ValidationError(
            _("Plusieurs comptes correspondent à « %(value)s » : %(choices)s. Tapez le numéro."),
            params={"value": shown, "choices": ", ".join(f"{a.code} {a.name_fr}" for a in candidates)},
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        debit, credit = _amount(data.get("debit")), _amount(data.get("credit"))
        data["debit"], data["credit"] = debit, credit
        if self.has_error("account_code") or self.has_error("debit") or self.has_error("credit"):
            return data  # the field already says what is wrong: no second message for the same line
        if data.get("account_code") and (debit > 0) == (credit > 0):
            raise ValidationError(_("Chaque ligne porte un débit ou un crédit, pas les deux."))
        if not data.get("account_code") and (debit or credit):
            raise ValidationError(_("Choisissez un compte pour ce montant."))
        if not data.get("account_code") and data.get("tag") and not self.has_error("tag"):
            raise ValidationError(_("Choisissez un compte pour cette étiquette."))
        return data


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=2, validate_min=False, max_num=200)


#: what a prefix filter may hold: the start of a tag (``training:``), nothing else
TAG_PREFIX = re.compile(r"^[a-z0-9_.:-]{0,80}$")


class AnalyticFilterForm(forms.Form):
    """The analytic page's filters: tags starting with a prefix, lines posted between two dates (all if blank)."""

    tag_prefix = forms.CharField(label=_("Étiquettes commençant par"), max_length=80, required=False)
    start = BoundedDateField(label=_("Du"), required=False, widget=_date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=_date_widget())

    def clean_tag_prefix(self) -> str:
        prefix = (self.cleaned_data.get("tag_prefix") or "").strip().lower()
        if not TAG_PREFIX.match(prefix):
            raise ValidationError(
                _("Début d'étiquette invalide : minuscules, chiffres et « : - _ . » seulement."), code="bad_prefix"
            )
        return prefix

    def filters(self) -> tuple[str, date | None, date | None]:
        """Prefix, first and last day; what could not be read is left out (and the form says why)."""
        if not self.is_bound:
            return "", None, None
        self.is_valid()
        data = self.cleaned_data  # the fields that were read (a refused one is left out)
        prefix, start, end = data.get("tag_prefix", ""), data.get("start"), data.get("end")
        if start and end and start > end:
            start, end = end, start
        return prefix, start, end


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=200)
