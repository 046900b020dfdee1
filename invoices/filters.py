"""The filters of the documents and payments lists: a party typed in part, dates in order, states."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from invoices.forms import PAYMENT_STATE_LABELS, PartyField, date_widget, party_resolve
from invoices.models import Document, Party, Payment
from ledger.forms import BoundedDateField
from members.models import Organization

# Lists -------------------------------------------------------------------------------------------------------------


class FilterPartyField(PartyField):
    """A list's party filter: what the form fields accept, or part of a name only one party bears (« Perle »)."""

    def clean(self, value: Any) -> Party | None:
        text = forms.CharField.clean(self, value)
        if text and party_resolve(text) is None:
            named = list(Party.objects.filter(Q(legal_name_fr__icontains=text) | Q(legal_name_ar__icontains=text))[:2])
            if len(named) == 1:
                return named[0]
        return super().clean(value)


class DatesInOrder(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("La date de fin précède la date de début : inversez-les."))
        return data


class DocumentFilterForm(DatesInOrder):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
    issuer = forms.ModelChoiceField(
        label=_("Émetteur"),
        queryset=Organization.objects.order_by("kind", "legal_name_fr"),
        required=False,
        empty_label=_("Tous"),
    )
    customer = FilterPartyField(label=_("Client"), required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Tous")), *Document.Kind.choices], required=False)
    status = forms.ChoiceField(label=_("État"), choices=[("", _("Tous")), *Document.Status.choices], required=False)
    paid = forms.ChoiceField(
        label=_("Paiement"), choices=[("", _("Tous")), *PAYMENT_STATE_LABELS.items()], required=False
    )
    start = BoundedDateField(label=_("Du"), required=False, widget=date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=date_widget())
    overdue = forms.BooleanField(label=_("En retard"), required=False)

    def filters(self) -> dict[str, Any]:
        """What the valid fields ask for; a field typed wrong filters nothing (and says so)."""
        self.is_valid()
        data = self.cleaned_data
        issuer, customer = data.get("issuer"), data.get("customer")
        return {
            "query": data.get("q") or "",
            "issuer": issuer.pk if issuer else None,
            "customer": customer.pk if customer else None,
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "payment_state": data.get("paid") or "",
            "date_from": data.get("start"),
            "date_to": data.get("end"),
            "overdue": bool(data.get("overdue")),
        }


class PaymentFilterForm(DatesInOrder):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
    payer = FilterPartyField(label=_("Payeur"), required=False)
    method = forms.ChoiceField(
        label=_("Moyen de paiement"), choices=[("", _("Tous")), *Payment.Method.choices], required=False
    )
    start = BoundedDateField(label=_("Du"), required=False, widget=date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=date_widget())
    pending = forms.BooleanField(label=_("Chèques non encaissés"), required=False)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        payer = data.get("payer")
        return {
            "query": data.get("q") or "",
            "payer": payer.pk if payer else None,
            "method": data.get("method") or "",
            "date_from": data.get("start"),
            "date_to": data.get("end"),
            "cheques_pending": bool(data.get("pending")),
        }
