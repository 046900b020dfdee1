"""Forms of the sales pages: channels, events with their members, stands and sellers, a member's sales terms, the
lists' filters and the settlement's date. Parsing only: the rules live in ``sales.events`` and the settlement
services; an odd value gets a message on its field, never an error page."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gie_erp.core.i18n import organization_name
from gie_erp.core.roles import Role
from invoices.forms import date_widget
from ledger.chart import chart_by_code
from ledger.forms import BoundedDateField
from members.models import Organization, User
from sales.models import Channel, Event, Product
from sales.selectors import GROUPS, SalesFilter

#: short names the pages' own addresses use (``/sales/events/new/``): an event or channel cannot take them
RESERVED_SLUGS = frozenset({"new", "edit"})
_PERCENT = re.compile(r"(\d{1,3})(?:[.,](\d{1,2}))?")
#: the most member lines one event form takes (a regional fair has about 160 stands)
MAX_PARTICIPANTS = 400
STAND_MAX = 40


def percent_text(rate: Decimal | None) -> str:
    """A stored fraction as a person types it back: 0.1000 → ``10``, 0.0750 → ``7,5``."""
    if rate is None:
        return ""
    text = format((rate * 100).normalize(), "f")
    return text.replace(".", ",")


class PercentField(forms.CharField):
    """A commission rate typed in percent (``10``, ``7,5``), kept as the fraction the model stores (0.1000)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=12, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off", "size": "6"}

    def prepare_value(self, value: Any) -> Any:
        return percent_text(value) if isinstance(value, Decimal) else value

    def clean(self, value: Any) -> Decimal | None:
        text = (super().clean(value) or "").strip().rstrip("%").strip()
        if not text:
            return None
        match = _PERCENT.fullmatch(text)
        rate = Decimal(f"{match.group(1)}.{match.group(2) or '0'}") if match else None
        if rate is None or rate > 100:
            raise ValidationError(
                _("« %(value)s » : un taux s'écrit en pourcentage, de 0 à 100 (2 décimales au plus)."),
                params={"value": str(value)[:40]},
                code="percent",
            )
        return (rate / 100).quantize(Decimal("0.0001"))


class AccountField(forms.CharField):
    """An account code of the pooled chart (``5161``): a code the chart does not hold is refused here, before any
    summary tries to post to it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=10, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "numeric", "autocomplete": "off", "size": "8"}

    def clean(self, value: Any) -> str:
        code = (super().clean(value) or "").strip()
        if code not in chart_by_code():
            raise ValidationError(_("Le compte %(code)s n'existe pas dans le plan comptable."), params={"code": code})
        return code


def _free_slug(slug: str) -> str:
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("« %(value)s » est réservé : choisissez un autre nom court."), params={"value": slug})
    return slug


# Members in a picker --------------------------------------------------------------------------------------------

#: what most members' names start with ("Coopérative féminine …", "التعاونية النسوية …"): a picker shows the rest
#: first, so that typing its first letter on a focused list reaches the member
_GENERIC_START = re.compile(
    r"^(?:coop[ée]rative|coop\.?)(?:\s+(?:agricole|f[ée]minine|laiti[èe]re|artisanale|des|du|de\s+la|de))*"
    r"(?:\s+d['’]|\s+l['’]|\s+)"
    r"|^(?:ال)?تعاونية(?:\s+(?:ال)?(?:نسوية|فلاحية))*\s+",
    re.IGNORECASE,
)
_TRAILING_ARTICLE = re.compile(r"(?:\s+(?:des|du|de\s+la|de|d['’]|l['’]))+$", re.IGNORECASE)


def member_label(organization: Organization, language: str | None = None) -> str:
    """A member as a picker lists it: what tells it apart first, then the words every cooperative's name shares
    (« Al Baraka (couscous) · coopérative féminine »); a name without those words is shown as it is."""
    name = organization_name(organization, language or get_language())
    match = _GENERIC_START.match(name)
    if match is None or match.end() >= len(name):
        return name
    rest, generic = name[match.end() :], _TRAILING_ARTICLE.sub("", match.group(0).strip())
    return f"{rest[:1].upper()}{rest[1:]} · {generic.lower()}"


def sort_key(text: str) -> str:
    """Alphabetical order as people expect it: accents and case ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class _ByLabel(ModelChoiceIterator):
    """A model's choices in the order of their labels (a database cannot sort on a label made in Python)."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        choices = [self.choice(obj) for obj in self.queryset]
        yield from sorted(choices, key=lambda choice: sort_key(str(choice[1])))


class MemberChoiceField(forms.ModelChoiceField):
    """A cooperative in a list that the keyboard can use: labels start with the name's distinctive part and are
    sorted on it, so typing « b » on the focused list reaches « Beni Arous · coopérative laitière »."""

    iterator = _ByLabel

    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


def cooperatives() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("legal_name_fr")


# Channels and events -----------------------------------------------------------------------------------------------


class ChannelForm(forms.ModelForm[Channel]):
    commission_rate = PercentField(label=_("Commission (%)"), help_text=_("10 pour 10 %"))
    cash_account = AccountField(label=_("Compte espèces"))
    card_account = AccountField(label=_("Compte carte"))
    mobile_account = AccountField(label=_("Compte paiement mobile"))
    cheque_account = AccountField(label=_("Compte chèques"))

    class Meta:
        model = Channel
        fields = [
            "name_fr", "name_ar", "slug", "kind", "commission_rate", "commission_base", "cash_account",
            "card_account", "mobile_account", "cheque_account", "is_active",
        ]  # fmt: skip
        widgets = {"name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_fr"].widget.attrs["autofocus"] = True
        if self.instance.pk:  # the short name is in every address of the channel: it does not change
            self.fields["slug"].disabled = True

    def clean_slug(self) -> str:
        return _free_slug(self.cleaned_data.get("slug") or "")

    def clean_commission_rate(self) -> Decimal:
        rate = self.cleaned_data.get("commission_rate")
        if rate is None:
            raise ValidationError(_("Indiquez le taux de commission (0 si aucune)."))
        return rate


@dataclass(frozen=True, slots=True)
class Stand:
    organization: Organization
    stand: str


def _member_resolve(text: str) -> Organization | None:
    """A member typed on a line: its short name, its ICE, or its full name in French or Arabic."""
    members = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
    return members.filter(Q(slug=text) | Q(ice=text) | Q(legal_name_fr__iexact=text) | Q(legal_name_ar=text)).first()


class StandsField(forms.CharField):
    """The members taking part, one per line: ``member ; stand`` (or the two cells pasted from a spreadsheet).
    A member is named by its short name, ICE or full name; each line that cannot be read is named in the error."""

    widget = forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "dir": "auto"})

    def clean(self, value: Any) -> list[Stand]:
        text = super().clean(value) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_PARTICIPANTS:
            raise ValidationError(_("Au plus %(max)s membres par événement."), params={"max": MAX_PARTICIPANTS})
        stands: list[Stand] = []
        errors: list[ValidationError] = []
        seen: set[int] = set()
        for number, line in enumerate(lines, start=1):
            parts = re.split(r"\t|;", line, maxsplit=1)
            name, stand = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
            member = _member_resolve(name)
            if member is None:
                errors.append(
                    ValidationError(
                        _("Ligne %(line)s : membre inconnu « %(value)s »."), params={"line": number, "value": name[:60]}
                    )
                )
            elif member.pk in seen:
                errors.append(
                    ValidationError(
                        _("Ligne %(line)s : %(value)s est déjà dans la liste."), params={"line": number, "value": name}
                    )
                )
            elif len(stand) > STAND_MAX:
                errors.append(
                    ValidationError(
                        _("Ligne %(line)s : le stand tient en %(max)s caractères."),
                        params={"line": number, "max": STAND_MAX},
                    )
                )
            else:
                seen.add(member.pk)
                stands.append(Stand(member, stand))
        if errors:
            raise ValidationError(errors[:20])
        return stands


def stands_text(event: Event) -> str:
    """The event's members as the stands field shows them, one ``short name ; stand`` per line."""
    participations = event.participations.select_related("organization").order_by("stand", "organization__slug")
    return "\n".join(f"{p.organization.slug} ; {p.stand}".rstrip(" ;") for p in participations)


def sellers_queryset(event: Event | None = None) -> QuerySet[User]:
    """The active fair sellers, and the event's own sellers whatever they became (deactivated, another role): a
    seller the form does not list would silently leave the event at the next save."""
    wanted = Q(role=Role.FAIR_SELLER, is_active=True)
    if event is not None and event.pk:
        wanted |= Q(pk__in=event.sellers.values("pk"))
    return User.objects.filter(wanted).order_by("username")


class SellerField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else str(obj.username)


class EventForm(forms.ModelForm[Event]):
    commission_rate = PercentField(label=_("Commission (%)"), required=False, help_text=_("vide : le taux du canal"))
    stands = StandsField(
        label=_("Membres et stands"),
        required=False,
        help_text=_("Un membre par ligne : nom court, ICE ou raison sociale, puis « ; » et le stand (A1)."),
    )
    sellers = SellerField(
        label=_("Vendeurs"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = [
            "channel", "name_fr", "name_ar", "slug", "starts_on", "ends_on", "commune", "place", "commission_rate",
        ]  # fmt: skip
        widgets = {
            "starts_on": date_widget(),
            "ends_on": date_widget(),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }
        field_classes = {"starts_on": BoundedDateField, "ends_on": BoundedDateField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = Channel.objects.filter(Q(is_active=True) | Q(pk=self.instance.channel_id or 0))
        cast(forms.ModelChoiceField, self.fields["channel"]).queryset = channels
        shops = channels.filter(kind=Channel.Kind.SHOP).values_list("pk", flat=True)
        self.fields["channel"].widget.attrs["data-shops"] = ",".join(str(pk) for pk in shops)  # the end date's rule
        self.fields["name_fr"].widget.attrs["autofocus"] = True
        cast(SellerField, self.fields["sellers"]).queryset = sellers_queryset(self.instance)
        if self.instance.channel_id:
            rate = percent_text(self.instance.channel.commission_rate)
            self.fields["commission_rate"].widget.attrs["placeholder"] = f"{rate} ({_('taux du canal')})"
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.initial.setdefault("stands", stands_text(self.instance))
            self.initial.setdefault("sellers", list(self.instance.sellers.values_list("pk", flat=True)))

    def clean_slug(self) -> str:
        return _free_slug(self.cleaned_data.get("slug") or "")

    def clean(self) -> dict[str, Any]:
        """Dates in order, and an end date for anything but the shared shop: a browser sends an empty date for one
        typed halfway (or when Enter was pressed before it was typed), which would otherwise save a fair as a
        permanent shop."""
        data = super().clean() or {}
        start, end, channel = data.get("starts_on"), data.get("ends_on"), data.get("channel")
        if start and end and end < start:
            self.add_error("ends_on", _("La date de fin précède la date de début : inversez-les."))
        if end is None and "ends_on" not in self.errors and channel is not None and channel.kind != Channel.Kind.SHOP:
            self.add_error(
                "ends_on",
                _("Indiquez la date de fin (jour, mois et année) : seule la boutique permanente n'en a pas."),
            )
        return data


class SalesTermsForm(forms.Form):
    offset_other_invoices = forms.BooleanField(
        label=_("Le membre accepte que le GIE retienne ses autres factures ouvertes sur le net à verser"),
        required=False,
    )


# Filters -------------------------------------------------------------------------------------------------------------


class DatesInOrder(forms.Form):
    start = BoundedDateField(label=_("Du"), required=False, widget=date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=date_widget())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("La date de fin précède la date de début : inversez-les."))
        return data

    def value_of(self, name: str) -> Any:
        """A field's clean value, or None when it was typed wrong (the error is shown; the list is not filtered)."""
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
    state = forms.ChoiceField(label=_("État"), choices=[("", _("Tous")), *Event.State.choices], required=False)
    channel = forms.ModelChoiceField(
        label=_("Canal"), queryset=Channel.objects.all(), to_field_name="slug", required=False, empty_label=_("Tous")
    )
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100, required=False)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        channel = data.get("channel")
        return {
            "query": data.get("q") or "",
            "state": data.get("state") or "",
            "channel": channel.slug if channel else "",
            "year": data.get("year"),
        }


def product_resolve(text: str, *, products: QuerySet[Product], organization: Organization | None) -> Product | None:
    """A product typed in a filter: its code to scan, or its code (within the member when one is chosen)."""
    text = text.strip()
    found = products.filter(scan_code=text).first()
    if found is not None:
        return found
    by_code = products.filter(code=text)
    if organization is not None:
        by_code = by_code.filter(organization=organization)
    matches = list(by_code[:2])
    return matches[0] if len(matches) == 1 else None


class SalesFilterForm(DatesInOrder):
    """A sales report's filters. The event list and the products are the user's own (``events_for``)."""

    event = forms.ModelChoiceField(
        label=_("Événement"), queryset=Event.objects.none(), to_field_name="slug", required=False, empty_label=_("Tous")
    )
    member = MemberChoiceField(
        label=_("Membre"), queryset=cooperatives(), to_field_name="slug", required=False, empty_label=_("Tous")
    )
    product = forms.CharField(label=_("Produit (code)"), max_length=40, required=False)
    group = forms.ChoiceField(
        label=_("Regrouper par"),
        choices=[
            ("member", _("Membre")),
            ("product", _("Produit")),
            ("day", _("Jour")),
            ("method", _("Moyen de paiement")),
            ("event", _("Événement")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, events: QuerySet[Event], products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["event"]).queryset = events
        self.products = products

    def clean_product(self) -> Product | None:
        text = self.cleaned_data.get("product") or ""
        if not text.strip():
            return None
        member = self.cleaned_data.get("member")
        product = product_resolve(text, products=self.products, organization=member)
        if product is None:
            raise ValidationError(_("Produit inconnu : %(value)s."), params={"value": text[:40]})
        return product

    def grouping(self) -> str:
        group = self.value_of("group") or "member"
        return group if group in GROUPS else "member"

    def sales_filter(self) -> SalesFilter:
        event, member, product = self.value_of("event"), self.value_of("member"), self.value_of("product")
        return SalesFilter(
            event_id=event.pk if event else None,
            organization_id=member.pk if member else None,
            product_id=product.pk if product else None,
            date_from=self.value_of("start"),
            date_to=self.value_of("end"),
        )


class SettlementFilterForm(DatesInOrder):
    event = forms.ModelChoiceField(
        label=_("Événement"), queryset=Event.objects.all(), to_field_name="slug", required=False, empty_label=_("Tous")
    )
    member = MemberChoiceField(
        label=_("Membre"), queryset=cooperatives(), to_field_name="slug", required=False, empty_label=_("Tous")
    )


class SettleForm(forms.Form):
    """The settlement's date; on confirmation, the figures the preview showed (a change since is refused)."""

    on = BoundedDateField(label=_("Réglé le"), widget=date_widget())
    expected_net = forms.DecimalField(max_digits=14, decimal_places=2, required=False, widget=forms.HiddenInput)
    expected_takings = forms.DecimalField(max_digits=14, decimal_places=2, required=False, widget=forms.HiddenInput)

    def settled_on(self, default: date) -> date:
        return self.value_on() or default

    def value_on(self) -> date | None:
        self.is_valid()
        return self.cleaned_data.get("on") if "on" not in self.errors else None
