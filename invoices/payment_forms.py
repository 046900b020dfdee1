"""Forms of the payment pages: a payment and its allocations, a cheque cashed, a credit applied. Parsing only: the
rules are in ``invoices.payments``."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gie_erp.core.forms import AmountField
from invoices.forms import date_widget
from invoices.models import Document, Payment
from ledger.forms import BoundedDateField
from members.models import Organization

# Payments ----------------------------------------------------------------------------------------------------------


class AllocationFields(forms.Form):
    """One amount field per open invoice (``alloc_<document id>``); every one blank means pro rata of what each
    still owes (the service's rule)."""

    def add_allocation_fields(self, documents: Sequence[Document]) -> None:
        self.documents = list(documents)
        for document in self.documents:
            self.fields[f"alloc_{document.pk}"] = AmountField(
                label=_("Montant affecté à %(number)s") % {"number": document.number}, required=False
            )

    def allocation_fields(self) -> list[tuple[Document, forms.BoundField]]:
        return [(document, self[f"alloc_{document.pk}"]) for document in self.documents]

    def allocations(self) -> dict[int, Decimal] | None:
        """The amounts typed per document (blank counts as 0), or None when none is typed (pro rata)."""
        typed = {document.pk: self.cleaned_data.get(f"alloc_{document.pk}") for document in self.documents}
        if all(value is None for value in typed.values()):
            return None
        return {pk: value or Decimal(0) for pk, value in typed.items()}


class PaymentForm(AllocationFields):
    """Money received from a payer, and what it pays among the payer's open invoices."""

    collected_by = forms.TypedChoiceField(label=_("Encaissé par"), coerce=int, choices=())
    received_on = BoundedDateField(label=_("Date"), widget=date_widget())
    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
        # a compensation is made by a fair settlement (sales.settlements), never typed in
        choices=[(value, label) for value, label in Payment.Method.choices if value != Payment.Method.OFFSET],
    )
    amount = AmountField(label=_("Montant"))
    reference = forms.CharField(
        label=_("Référence"), max_length=80, required=False, help_text=_("N° du chèque ou du virement")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, collectors: Sequence[Organization] = (), documents: Sequence[Document] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collected_by"].choices = [(o.pk, o.legal_name_fr) for o in collectors]  # type: ignore[attr-defined]
        self.add_allocation_fields(documents)

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("Le montant doit être positif."), code="amount_zero")
        return amount


class ChequeCashForm(forms.Form):
    cashed_on = BoundedDateField(label=_("Date d'encaissement"), widget=date_widget())


class AllocateForm(AllocationFields):
    """A payer's credit (the unallocated rest of a payment) applied to its open invoices. ``expected`` is the credit
    the page showed: a second submit of the same page finds less and is refused."""

    allocated_on = BoundedDateField(label=_("Date"), widget=date_widget())
    expected = forms.DecimalField(widget=forms.HiddenInput, max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, documents: Sequence[Document] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_allocation_fields(documents)
