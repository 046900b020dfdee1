"""Forms of the fees pages: a pool, one of its accounts, a run's pool and period (months), a reason to undo, the
year-end transfer's year and key. They parse; the services in ``config``, ``services`` and ``zero_result`` decide."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gie_erp.core.errors import ErrorCode, error_message
from gie_erp.core.forms import AmountField
from gie_erp.core.money import ZERO
from gie_erp.fees.config import POOL_FIELDS
from gie_erp.fees.models import ACCOUNT_CODE, TAG_PREFIX, Key, Pool
from invoices.models import VatRate
from members.models import Organization


def vat_code_choices() -> list[tuple[str, str]]:
    """Every VAT code of the invoices' table once (its latest label), ``normal-20`` and ``debours`` included."""
    labels: dict[str, str] = {}
    for code, label in VatRate.objects.order_by("code", "-valid_from").values_list("code", "label_fr"):
        labels.setdefault(code, f"{label} ({code})")
    return sorted(labels.items())


def autofocus_first(form: forms.BaseForm) -> None:
    """The cursor in the first field with an error, else in the first field (keyboard users start there)."""
    names = [name for name in form.fields if not form.fields[name].disabled]
    wrong = [name for name in names if form.is_bound and name in form.errors]
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    if wrong or names:
        form.fields[(wrong or names)[0]].widget.attrs["autofocus"] = True


class PoolForm(forms.ModelForm[Pool]):
    """A pool's settings; the slug is fixed once the pool exists (runs and invoices name it)."""

    vat_code = forms.ChoiceField(label=_("TVA"), choices=())
    fixed_monthly = AmountField(label=_("montant fixe par mois (HT)"), required=False)
    exempted = forms.ModelMultipleChoiceField(
        label=_("membres exemptés par décision"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Pool
        fields = [*POOL_FIELDS, "exempted"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = vat_code_choices()
        current = self.instance.vat_code if self.instance.pk else "normal-20"
        if current and current not in dict(choices):
            choices.append((current, current))
        vat = self.fields["vat_code"]
        assert isinstance(vat, forms.ChoiceField)
        vat.choices = choices
        vat.initial = current
        exempted = self.fields["exempted"]
        assert isinstance(exempted, forms.ModelMultipleChoiceField)
        exempted.queryset = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("legal_name_fr")
        for name in ("slug", "revenue_account", "member_account", "pictogram"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        if self.instance.pk is not None:
            self.fields["slug"].disabled = True
        autofocus_first(self)

    def clean_fixed_monthly(self) -> Any:
        return self.cleaned_data.get("fixed_monthly") or ZERO

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Pool.Kind.DEBOURS and data.get("vat_code") not in (None, "debours"):
            self.add_error("vat_code", _("Des débours se refacturent sans TVA : choisissez le code « debours »."))
        return data


class SourceForm(forms.Form):
    """One account feeding a pool, optionally only its lines under an analytic tag prefix."""

    account_code = forms.CharField(label=_("compte"), max_length=6, validators=[ACCOUNT_CODE])
    tag_prefix = forms.CharField(
        label=_("étiquette analytique (début)"), max_length=80, required=False, validators=[TAG_PREFIX]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["dir"] = "ltr"


def parse_month(text: str, *, end: bool = False) -> date:
    """``2026-01`` as its first day (or its last with ``end``); ValueError otherwise."""
    year, _sep, month = text.strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
        raise ValueError(text)
    first = date(int(year), int(month), 1)
    if not end:
        return first
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def last_month(today: date) -> str:
    """The month before ``today``'s, as ``YYYY-MM`` (the default period of a run)."""
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


class RunForm(forms.Form):
    """A pool and a period of whole months: ``start`` alone is one month, ``start`` … ``end`` a range."""

    pool = forms.ModelChoiceField(
        label=_("pool"), queryset=Pool.objects.filter(is_active=True), to_field_name="slug", empty_label=None
    )
    start = forms.CharField(label=_("du mois"), widget=forms.DateInput(attrs={"type": "month"}), max_length=7)
    end = forms.CharField(
        label=_("au mois (inclus)"), widget=forms.DateInput(attrs={"type": "month"}), max_length=7, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].error_messages["invalid_choice"] = _("Pool inconnu ou inactif : choisissez-en un.")
        autofocus_first(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, typed_end = data.get("start") or "", data.get("end") or ""
        end = typed_end or start
        if not start:
            return data
        try:
            data["starts_on"], data["ends_on"] = parse_month(start), parse_month(end, end=True)
        except ValueError:
            typed = f"{start}..{typed_end}" if typed_end else start
            raise forms.ValidationError(
                error_message(ErrorCode.FEES_BAD_PERIOD, {"value": typed}), code="bad_period"
            ) from None
        if data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(
                error_message(ErrorCode.FEES_PERIOD_ORDER, {"start": start, "end": end}), code="period_order"
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("motif de l'annulation"), max_length=200, widget=forms.TextInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["autofocus"] = True


class ZeroForm(forms.Form):
    """The year-end transfer: which year, by which key."""

    year = forms.IntegerField(label=_("année"), min_value=2000, max_value=2100)
    # imported weights belong to a pool: the year end has none
    key = forms.ChoiceField(
        label=_("clé de répartition"), choices=[c for c in Key.choices if c[0] != Key.CUSTOM], initial=Key.FEES
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autofocus_first(self)
