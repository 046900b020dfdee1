"""Forms of the fees pages: a pool, one of its accounts, a run's pool and period (months), a reason to undo, the
year-end transfer's year and key. They parse; the services in ``config``, ``services`` and ``zero_result`` decide."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gie_erp.core.errors import DomainError
from gie_erp.core.forms import AmountField
from gie_erp.core.money import ZERO
from gie_erp.fees.config import POOL_FIELDS
from gie_erp.fees.models import ACCOUNT_CODE, POOL_PICTOGRAMS, TAG_PREFIX, Key, Pool
from gie_erp.fees.periods import FIRST_YEAR, LAST_YEAR, parse_period
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


def pictogram_choices() -> list[tuple[str, Any]]:
    """The drawings a pool may carry; none is the building."""
    return [("", _("— (bâtiment)")), *POOL_PICTOGRAMS.items()]


class PoolForm(forms.ModelForm[Pool]):
    """A pool's settings; the slug is fixed once the pool exists (runs and invoices name it). What the pool's nature
    allows (VAT code, account credited) is the model's rule (``Pool.clean``), shown on the fields."""

    vat_code = forms.ChoiceField(label=_("TVA"), choices=())
    fixed_monthly = AmountField(label=_("montant fixe par mois (HT)"), required=False)
    pictogram = forms.ChoiceField(label=_("pictogramme"), choices=pictogram_choices, required=False)
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
        for name in ("slug", "revenue_account", "member_account"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        for field in self.fields.values():  # a value not offered (a tampered form) is said in words, not echoed
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _("Choix inconnu : choisissez dans la liste.")
        exempted.error_messages["invalid_choice"] = _("Membre inconnu : cochez les membres dans la liste.")
        self.fields["pictogram"].error_messages["invalid_choice"] = _(
            "Pictogramme inconnu : choisissez un des dessins de la liste."
        )
        if self.instance.pk is not None:
            self.fields["slug"].disabled = True
        autofocus_first(self)

    def clean_fixed_monthly(self) -> Any:
        return self.cleaned_data.get("fixed_monthly") or ZERO

    def clean_slug(self) -> Any:
        """A code already taken is said in words, with the pool that has it."""
        slug = self.cleaned_data.get("slug")
        if self.instance.pk is None and slug:
            taken = Pool.objects.filter(slug=slug).first()
            if taken is not None:
                raise forms.ValidationError(
                    _("Le code « %(slug)s » est déjà celui du pool %(name)s : choisissez-en un autre."),
                    code="unique",
                    params={"slug": slug, "name": taken.name_fr},
                )
        return slug


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
        """The months as ``periods.parse_period`` reads them (years FIRST_YEAR..LAST_YEAR): every refusal in words."""
        data = super().clean() or {}
        start, typed_end = (data.get("start") or "").strip(), (data.get("end") or "").strip()
        if not start:
            return data
        try:
            data["starts_on"], data["ends_on"] = parse_period(f"{start}..{typed_end}" if typed_end else start)
        except DomainError as error:
            raise forms.ValidationError(error.message(), code=error.code.value) from None
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("motif de l'annulation"), max_length=200, widget=forms.TextInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["autofocus"] = True


class ZeroForm(forms.Form):
    """The year-end transfer: which year, by which key."""

    year = forms.IntegerField(
        label=_("année"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("Année invalide : écrivez-la en chiffres, par exemple 2026."),
            "min_value": _("Année invalide : %(limit_value)s au plus tôt."),
            "max_value": _("Année invalide : %(limit_value)s au plus tard."),
        },
    )
    # imported weights belong to a pool: the year end has none
    key = forms.ChoiceField(
        label=_("clé de répartition"),
        choices=[c for c in Key.choices if c[0] != Key.CUSTOM],
        initial=Key.FEES,
        error_messages={
            "invalid_choice": _(
                "Clé inconnue ici : choisissez une clé de la liste (les poids importés appartiennent à un pool, pas "
                "au résultat de l'année)."
            )
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autofocus_first(self)
