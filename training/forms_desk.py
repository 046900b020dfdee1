"""Forms of a session's page (staff enrolment, billing's date, a cost) and of a funder's page (a payment). Parsing
only: the rules live in ``training.services``; an odd value gets a message on its field, never an error page.

The forms that post money carry a one-time key (``key``), drawn when the page is shown: a second submit of the
same page sends the same key, and the service's idempotency makes it post once."""

import re
import secrets
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gie_erp.core.forms import AmountField
from gie_erp.core.i18n import organization_name
from invoices.forms import date_widget
from ledger.forms import BoundedDateField
from members.models import Cooperator, Organization
from training.funding import COST_KINDS, PAID_FROM
from training.models import Funder, Grant, SubsidyPayment

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def one_time_key() -> str:
    """A fresh key for one showing of a form (128 random bits)."""
    return secrets.token_urlsafe(16)


class OneTimeKeyField(forms.CharField):
    """The hidden one-time key of a form that posts: URL-safe characters only (it becomes part of a ledger key)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not _KEY.match(value):
            raise forms.ValidationError(_("Formulaire périmé : rechargez la page puis recommencez."))


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return organization_name(obj, get_language())


class CooperatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = str(obj)
        return f"{name} · {obj.full_name_ar}" if obj.full_name_ar else name


def member_cooperatives() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("legal_name_fr")


class EnrolForm(forms.Form):
    """Staff enrol one or several active cooperators of one cooperative."""

    organization = OrganizationChoiceField(
        label=_("Coopérative"), queryset=member_cooperatives(), to_field_name="slug", empty_label=None
    )
    cooperators = CooperatorChoiceField(
        label=_("Coopérateurs"),
        queryset=Cooperator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins une personne.")},
    )

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = organization
        if chosen is None and self.is_bound:
            chosen = member_cooperatives().filter(slug=self.data.get("organization", "")).first()
        if chosen is not None:
            self.fields["organization"].initial = chosen.slug
            self.fields["cooperators"].queryset = Cooperator.objects.filter(  # type: ignore[attr-defined]
                organization=chosen, is_active=True
            ).order_by("last_name_fr", "first_name_fr", "pk")


class BillForm(forms.Form):
    """Billing's date; on confirmation, the total the preview showed (a change since is refused)."""

    on = BoundedDateField(label=_("Facturée le"), widget=date_widget())
    expected = forms.DecimalField(max_digits=14, decimal_places=2, required=False, widget=forms.HiddenInput)


class CostForm(forms.Form):
    """One cost of a session: what it was, how much, when, paid from where."""

    kind = forms.ChoiceField(label=_("Nature"), choices=[(k, v.label) for k, v in COST_KINDS.items()])
    amount = AmountField(label=_("Montant (DH)"))
    spent_on = BoundedDateField(label=_("Date"), widget=date_widget())
    paid_from = forms.ChoiceField(label=_("Payé par"), choices=[(k, v[1]) for k, v in PAID_FROM.items()])
    reference = forms.CharField(label=_("Référence (facture, reçu)"), max_length=60, required=False)
    key = OneTimeKeyField()


class GrantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        title = obj.title_ar if (get_language() or "")[:2] == "ar" and obj.title_ar else obj.title_fr
        return f"{obj.reference} · {title}"


class FunderPaymentForm(forms.Form):
    """A funder's payment: how much, when, by bank or cash, under which grant if any."""

    amount = AmountField(label=_("Montant reçu (DH)"))
    received_on = BoundedDateField(label=_("Reçu le"), widget=date_widget())
    method = forms.ChoiceField(label=_("Moyen"), choices=SubsidyPayment.Method.choices)
    grant = GrantChoiceField(
        label=_("Convention"), queryset=Grant.objects.none(), required=False, empty_label=_("(aucune)")
    )
    reference = forms.CharField(label=_("Référence (virement, chèque)"), max_length=80, required=False)
    key = OneTimeKeyField()

    def __init__(self, *args: Any, funder: Funder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = Grant.objects.filter(funder=funder)  # type: ignore[attr-defined]
