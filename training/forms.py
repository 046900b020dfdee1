"""Forms of the training staff pages: the catalogue (themes, courses, trainers, funders, grants) and sessions with
their half-days and funders. They check what a person can get wrong, in the person's language; the services in
``training/catalogue.py`` check the rules again and write."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gie_erp.core.errors import ErrorCode, error_message
from gie_erp.core.forms import AmountField
from gie_erp.core.pictograms import SOURCES
from invoices.models import VatRate
from invoices.services import STANDARD_CODE
from members.models import Commune
from training.catalogue import COURSE_FIELDS, RESERVED_SESSION_SLUGS, FunderShare, trainer_users
from training.models import Course, Funder, Grant, HalfDay, Session, SessionFunder, Theme, Trainer

#: the longest session the half-day grid offers (a longer one is a typing error in a date)
MAX_SESSION_DAYS = 62
HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.0001")

#: the pictograms a course may carry (``gie_erp/core/pictograms.py``), as people read them
PICTOGRAM_LABELS: dict[str, Any] = {
    "cap": gettext_lazy("toque de diplômé"),
    "person": gettext_lazy("personne"),
    "building": gettext_lazy("bâtiment"),
    "coins": gettext_lazy("pièces de monnaie"),
    "receipt": gettext_lazy("reçu"),
    "invoice-paid": gettext_lazy("facture payée"),
    "basket": gettext_lazy("panier"),
    "cart": gettext_lazy("chariot"),
    "truck": gettext_lazy("camion"),
    "hand": gettext_lazy("cadeau"),
    "exchange": gettext_lazy("échange"),
    "arrow-in": gettext_lazy("argent reçu"),
    "arrow-out": gettext_lazy("argent payé"),
    "box-missing": gettext_lazy("carton"),
}


def pictogram_choices() -> list[tuple[str, Any]]:
    return [("", "—"), *((name, PICTOGRAM_LABELS.get(name, name)) for name in sorted(SOURCES))]


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _message(code: ErrorCode, **params: Any) -> ValidationError:
    return ValidationError(error_message(code, params), code=code.value)


# --- VAT of a course's fee ----------------------------------------------------------------------------------------


def vat_labels() -> dict[str, str]:
    """Every VAT code as people read it, in Arabic on an Arabic page (the latest wording of each code)."""
    arabic = (get_language() or "fr")[:2] == "ar"
    labels: dict[str, str] = {}
    for rate in VatRate.objects.order_by("code", "-valid_from"):
        labels.setdefault(rate.code, rate.label_ar if arabic and rate.label_ar else rate.label_fr)
    return labels


def fee_vat_codes(day: date) -> list[str]:
    """What a course's fee may carry: the standard rate, or an exemption (art. 91, 92, suspension) valid on
    ``day``."""
    valid = VatRate.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    exemptions = sorted(set(valid.exclude(kind=VatRate.Kind.TAXABLE).values_list("code", flat=True)))
    return [STANDARD_CODE, *exemptions]


# --- the catalogue ------------------------------------------------------------------------------------------------


class _CatalogueForm(forms.ModelForm):
    """A catalogue item: its slug is typed once (disabled afterwards) and checked free in our words; Arabic fields
    are written right to left."""

    slug_model: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name.endswith("_ar"):
                field.widget.attrs["dir"] = "rtl"
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        slug = self.fields.get("slug")
        if slug is not None:
            slug.widget.attrs["dir"] = "ltr"
            slug.help_text = gettext_lazy("Lettres sans accent, chiffres et tirets ; il ne change plus ensuite.")
            if self.instance.pk:
                slug.disabled, slug.required = True, False

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or ""
        if self.instance.pk:
            return str(self.instance.slug)
        if slug and self.slug_model is not None and self.slug_model.objects.filter(slug=slug).exists():
            raise _message(ErrorCode.TRAINING_SLUG_TAKEN, slug=slug)
        return slug

    def validate_unique(self) -> None:
        """The services check what must be unique, in our words (Django's would name the model)."""

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ThemeForm(_CatalogueForm):
    slug_model = Theme

    class Meta:
        model = Theme
        fields = ("slug", "name_fr", "name_ar")


class HoursField(AmountField):
    """Hours with one decimal at most (``1,5``), from half an hour."""

    def to_python(self, value: Any) -> Decimal | None:
        hours = super().to_python(value)
        if hours is not None and (hours < Decimal("0.5") or hours != hours.quantize(Decimal("0.1"))):
            raise ValidationError(_("Une durée en heures, d'une demi-heure au moins, une décimale au plus."))
        if hours is not None and hours >= Decimal("10000"):
            raise ValidationError(_("Une durée en heures, d'une demi-heure au moins, une décimale au plus."))
        return hours.quantize(Decimal("0.1")) if hours is not None else None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.1f}".replace(".", ",")
        return value


class CourseForm(_CatalogueForm):
    slug_model = Course
    duration_hours = HoursField(label=gettext_lazy("Durée (heures)"))
    pictogram = forms.ChoiceField(label=gettext_lazy("Pictogramme"), required=False, choices=())
    vat_code = forms.ChoiceField(label=gettext_lazy("TVA des frais"), choices=())

    class Meta:
        model = Course
        fields = COURSE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = vat_labels()
        codes = fee_vat_codes(timezone.localdate())
        current = self.instance.vat_code if self.instance.pk else None
        if current and current not in codes:
            codes.append(current)  # no longer valid: still shown, so that the page saves unchanged
        vat_field, pictogram_field = self.fields["vat_code"], self.fields["pictogram"]
        assert isinstance(vat_field, forms.ChoiceField)  # declared above
        assert isinstance(pictogram_field, forms.ChoiceField)
        vat_field.choices = [(code, labels.get(code, code)) for code in codes]
        vat_field.help_text = gettext_lazy("TVA 20 pour cent par défaut, ou l'exonération que fixe le comptable.")
        if not self.instance.pk:
            self.initial.setdefault("vat_code", STANDARD_CODE)
        pictogram_field.choices = pictogram_choices()


class TrainerForm(_CatalogueForm):
    class Meta:
        model = Trainer
        fields = ("user", "name", "phone", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)
        user.queryset = trainer_users(self.instance)
        user.help_text = gettext_lazy("Un utilisateur avec le rôle formateur : il ne voit que ses sessions.")
        self.fields["name"].help_text = gettext_lazy("Obligatoire pour une personne extérieure au GIE.")
        self.fields["phone"].widget.attrs.update({"dir": "ltr", "inputmode": "tel"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") or "").strip():
            self.add_error("name", _message(ErrorCode.TRAINING_TRAINER_NAME_REQUIRED))
        return data


class FunderForm(_CatalogueForm):
    slug_model = Funder

    class Meta:
        model = Funder
        fields = ("slug", "name_fr", "name_ar")


class GrantForm(_CatalogueForm):
    class Meta:
        model = Grant
        fields = ("reference", "title_fr", "title_ar", "starts_on", "ends_on")
        widgets = {"starts_on": date_widget(), "ends_on": date_widget()}

    def __init__(self, *args: Any, funder: Funder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.funder = funder
        self.fields["reference"].widget.attrs["dir"] = "ltr"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on", _message(ErrorCode.TRAINING_DATES_ORDER, start=_day(starts_on), end=_day(ends_on))
            )
        reference = data.get("reference")
        taken = Grant.objects.filter(funder=self.funder, reference=reference).exclude(pk=self.instance.pk)
        if reference and taken.exists():
            error = _message(ErrorCode.TRAINING_GRANT_REFERENCE_TAKEN, funder=str(self.funder), reference=reference)
            self.add_error("reference", error)
        return data


def _day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


# --- sessions -----------------------------------------------------------------------------------------------------


class PercentField(AmountField):
    """A percentage as people type it (``40``, ``12,5``), returned as a fraction with 4 places (0.4000)."""

    def to_python(self, value: Any) -> Decimal | None:
        percent = super().to_python(value)
        if percent is None:
            return None
        if not 0 <= percent <= HUNDRED:
            raise ValidationError(_("Un taux va de 0 à 100 pour cent."), code="rate_range")
        return (percent / HUNDRED).quantize(RATE_PLACES)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):  # a fraction from the database or the form's own cleaning
            return super().prepare_value(value * HUNDRED)
        return value


def suggested_slug(course: Course | None, starts_on: date | None) -> str:
    """``<course>-<yyyy-mm>``, then ``-2``, ``-3``… while it is taken."""
    base = slugify(f"{course.slug if course else 'session'}-{starts_on:%Y-%m}" if starts_on else "session")[:54]
    slug, number = base, 2
    while Session.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class SessionForm(forms.ModelForm):
    """A session's own fields. The slug may be left blank on creation (suggested from the course and the month),
    and is fixed afterwards; the completion rate is typed as a percentage."""

    fee_per_trainee = AmountField(label=gettext_lazy("Frais par stagiaire (HT, DH)"))
    completion_rate = PercentField(
        label=gettext_lazy("Assiduité minimale (pour cent)"),
        help_text=gettext_lazy(
            "Part des demi-journées où le stagiaire doit être présent pour l'attestation : 80 par défaut."
        ),
    )
    capacity = forms.IntegerField(label=gettext_lazy("Places"), min_value=1, max_value=32767)

    class Meta:
        model = Session
        fields = (
            "course",
            "slug",
            "starts_on",
            "ends_on",
            "enrolment_deadline",
            "commune",
            "place",
            "trainer",
            "capacity",
            "fee_per_trainee",
            "language",
            "completion_rate",
        )
        widgets = {"starts_on": date_widget(), "ends_on": date_widget(), "enrolment_deadline": date_widget()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session = self.instance if self.instance.pk else None
        course, trainer, commune = self.fields["course"], self.fields["trainer"], self.fields["commune"]
        assert isinstance(course, forms.ModelChoiceField)
        assert isinstance(trainer, forms.ModelChoiceField)
        assert isinstance(commune, forms.ModelChoiceField)
        keep_course = Q(pk=session.course_id) if session else Q(pk__in=[])
        course.queryset = Course.objects.filter(Q(is_active=True) | keep_course).select_related("theme")
        keep_trainer = Q(pk=session.trainer_id) if session and session.trainer_id else Q(pk__in=[])
        trainer.queryset = Trainer.objects.filter(Q(is_active=True) | keep_trainer).select_related("user")
        commune.queryset = Commune.objects.order_by("name_fr")
        slug = self.fields["slug"]
        slug.widget.attrs["dir"] = "ltr"
        if session is not None:
            slug.disabled, slug.required = True, False
        else:
            slug.required = False
            slug.help_text = gettext_lazy("Laissé vide : proposé d'après la formation et le mois.")
            self.initial.setdefault("completion_rate", Decimal("0.8000"))
            self.initial.setdefault("fee_per_trainee", Decimal("0.00"))

    def clean_slug(self) -> str:
        if self.instance.pk:
            return str(self.instance.slug)
        slug: str = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SESSION_SLUGS or (slug and Session.objects.filter(slug=slug).exists()):
            raise _message(ErrorCode.TRAINING_SLUG_TAKEN, slug=slug)
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        deadline = data.get("enrolment_deadline")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error(
                    "ends_on", _message(ErrorCode.TRAINING_DATES_ORDER, start=_day(starts_on), end=_day(ends_on))
                )
            elif (ends_on - starts_on).days >= MAX_SESSION_DAYS:
                self.add_error("ends_on", _("Une session dure %(days)s jours au plus.") % {"days": MAX_SESSION_DAYS})
        if deadline and ends_on and deadline > ends_on:
            error = _message(ErrorCode.TRAINING_DATES_ORDER, start=_day(deadline), end=_day(ends_on))
            self.add_error("enrolment_deadline", error)
        if not self.instance.pk and not data.get("slug") and "slug" not in self.errors:
            data["slug"] = suggested_slug(data.get("course"), starts_on)
        return data

    def validate_unique(self) -> None:
        """The slug is checked above in our words; the service checks it again under its transaction."""

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


# --- half-days ----------------------------------------------------------------------------------------------------

PARTS = (HalfDay.Part.MORNING, HalfDay.Part.AFTERNOON)


def days_between(starts_on: date, ends_on: date) -> list[date]:
    if ends_on < starts_on or (ends_on - starts_on).days >= MAX_SESSION_DAYS:
        return []
    return [starts_on + timedelta(days=n) for n in range((ends_on - starts_on).days + 1)]


def every_half_day(starts_on: date, ends_on: date) -> set[tuple[date, str]]:
    """Mornings and afternoons of every day: what a new session starts from."""
    return {(day, part) for day in days_between(starts_on, ends_on) for part in PARTS}


def parse_half_days(values: list[str]) -> set[tuple[date, str]]:
    """``2026-11-09:am`` values of the grid's checkboxes; anything else is dropped (a forged value never saves)."""
    chosen = set()
    for value in values:
        day_text, _sep, part = value.partition(":")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            continue
        if part in PARTS:
            chosen.add((day, part))
    return chosen


@dataclass(frozen=True, slots=True)
class GridDay:
    day: date
    morning: bool
    afternoon: bool
    recorded: frozenset[str]  # the parts with attendance: they can't be removed


def half_day_grid(
    starts_on: date | None, ends_on: date | None, chosen: set[tuple[date, str]], recorded: set[tuple[date, str]]
) -> list[GridDay]:
    """One row per day of the session: which half-days are ticked and which hold attendance."""
    if starts_on is None or ends_on is None:
        return []
    return [
        GridDay(
            day=day,
            morning=(day, HalfDay.Part.MORNING) in chosen,
            afternoon=(day, HalfDay.Part.AFTERNOON) in chosen,
            recorded=frozenset(part for part in PARTS if (day, part) in recorded),
        )
        for day in days_between(starts_on, ends_on)
    ]


# --- funders ------------------------------------------------------------------------------------------------------


class GrantChoiceField(forms.ModelChoiceField):
    """A grant by its reference and title (its funder is chosen beside it)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.title_fr}"


class FunderShareForm(forms.Form):
    funder = forms.ModelChoiceField(label=gettext_lazy("Financeur"), queryset=Funder.objects.all(), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type de part"), choices=SessionFunder.Kind.choices, initial=SessionFunder.Kind.PERCENT
    )
    rate = PercentField(label=gettext_lazy("Taux (pour cent)"), required=False)
    amount = AmountField(label=gettext_lazy("Montant par stagiaire (DH)"), required=False)
    basis = forms.ChoiceField(
        label=gettext_lazy("Paie pour"), choices=SessionFunder.Basis.choices, initial=SessionFunder.Basis.ATTENDED
    )
    grant = GrantChoiceField(
        label=gettext_lazy("Convention"), queryset=Grant.objects.select_related("funder"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        funder, grant = data.get("funder"), data.get("grant")
        if funder is None:
            return data
        if data.get("kind") == SessionFunder.Kind.PERCENT and data.get("rate") is None and "rate" not in self.errors:
            self.add_error("rate", _("Indiquez le taux du financeur."))
        if data.get("kind") == SessionFunder.Kind.AMOUNT and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez le montant par stagiaire du financeur."))
        if grant is not None and grant.funder_id != funder.pk:
            self.add_error(
                "grant", _message(ErrorCode.TRAINING_GRANT_OTHER_FUNDER, grant=grant.reference, funder=str(funder))
            )
        return data


class BaseFunderShareFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            funder = form.cleaned_data.get("funder")
            if funder is None:
                continue
            if funder.pk in seen:
                form.add_error("funder", _message(ErrorCode.TRAINING_FUNDER_TWICE, name=str(funder)))
            seen.add(funder.pk)

    def shares(self) -> list[FunderShare]:
        shares = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("funder") is None or (self.can_delete and form.cleaned_data.get("DELETE")):
                continue
            percent = data["kind"] == SessionFunder.Kind.PERCENT
            shares.append(
                FunderShare(
                    funder=data["funder"],
                    kind=data["kind"],
                    rate=data.get("rate") if percent else None,
                    amount=None if percent else data.get("amount"),
                    basis=data["basis"],
                    grant=data.get("grant"),
                )
            )
        return shares


FunderShareFormSet = forms.formset_factory(
    FunderShareForm, formset=BaseFunderShareFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


def funder_initial(session: Session | None) -> list[dict[str, Any]]:
    if session is None:
        return []
    return [
        {
            "funder": row.funder_id,
            "kind": row.kind,
            "rate": row.rate,
            "amount": row.amount,
            "basis": row.basis,
            "grant": row.grant_id,
        }
        for row in SessionFunder.objects.filter(session=session).order_by("pk")
    ]
