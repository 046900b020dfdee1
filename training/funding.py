"""A session's costs and the funders' payments, in the GIE's book (issue 13, point 6).

**Costs.** Trainer fees, the room, meals, transport and supplies are GIE expense entries posted through
``ledger.services``, each expense line tagged ``training:<session>``: Dr the cost's account (tagged) / Cr the money
account or the supplier (4411). With the session's fee revenue (7124, tagged by billing) and its subsidies (7161,
tagged by billing) they make the session's result, read per tag (``session_result``).

**Funders' payments.** What a funder owes is recognised when a session is billed (Dr 34512 / Cr 7161); its payment
clears it: Dr 5141 (or 5161) / Cr 34512, never more than the funder still owes. Both writes are idempotent by key.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import ZERO, is_mad
from ledger import accounts
from ledger.analytic import TagReport, tag_report
from ledger.models import Book, Journal
from ledger.posting import JournalLine
from ledger.services import journal_entry_post
from members.models import Organization
from training.billing import session_tag
from training.models import Funder, Grant, Session, Subsidy, SubsidyPayment
from training.selectors import is_manager


@dataclass(frozen=True, slots=True)
class CostKind:
    account_code: str
    label: Any  # a lazy translation


#: what a session may cost, and the GIE's expense account each posts to
COST_KINDS: dict[str, CostKind] = {
    "trainer": CostKind(accounts.FEES_HONORARIA, _("Honoraires du formateur")),
    "room": CostKind(accounts.BUILDING_RENT, _("Location de la salle")),
    "meals": CostKind(accounts.RECEPTIONS, _("Repas et pauses")),
    "travel": CostKind(accounts.TRAVEL, _("Déplacements")),
    "supplies": CostKind(accounts.OFFICE_SUPPLIES, _("Fournitures")),
}
#: where the money for a cost came from (or the supplier still to pay)
PAID_FROM = {
    "bank": (accounts.BANK, _("Banque")),
    "cash": (accounts.CASH, _("Caisse")),
    "supplier": (accounts.SUPPLIERS, _("À payer au fournisseur")),
}
PAYMENT_ACCOUNTS = {SubsidyPayment.Method.BANK: accounts.BANK, SubsidyPayment.Method.CASH: accounts.CASH}


def _gie_book() -> Book:
    return Book.objects.get(organization__kind=Organization.Kind.GIE)


def _check_amount(amount: Decimal) -> None:
    exact = isinstance(amount, Decimal) and amount.is_finite() and is_mad(amount)
    if not exact or amount <= ZERO:
        shown = format_amount(amount) if exact else str(amount)  # the user's format when it is an amount at all
        raise DomainError(ErrorCode.TRAINING_AMOUNT_NOT_POSITIVE, value=shown)


def session_cost_record(
    *,
    session: Session,
    kind: str,
    amount: Decimal,
    spent_on: date,
    paid_from: str,
    reference: str,
    idempotency_key: str,
    acting_user: Any = None,
    today: date | None = None,
) -> Any:
    """Post one cost of a session in the GIE's book, its expense line tagged with the session; returns the
    ledger's reference (a replay of the key returns the first entry)."""
    if not is_manager(acting_user):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    if kind not in COST_KINDS or paid_from not in PAID_FROM:
        raise DomainError(ErrorCode.TRAINING_BAD_CHOICE, value=kind if kind not in COST_KINDS else paid_from)
    _check_amount(amount)
    cost = COST_KINDS[kind]
    label = str(cost.label)
    ref = journal_entry_post(
        book=_gie_book(),
        posted_on=spent_on,
        journal=Journal.PURCHASES if paid_from == "supplier" else Journal.MISC,
        lines=[
            JournalLine(cost.account_code, debit=amount, tag=session_tag(session), description=label[:100]),
            JournalLine(PAID_FROM[paid_from][0], credit=amount),
        ],
        description=f"{label} · formation {session.slug}"[:120],
        source_ref=(reference.strip() or session.slug)[:60],
        idempotency_key=f"training:{session.pk}:cost:{idempotency_key}"[:120],
        acting_user=acting_user,
        today=today,
    )
    if ref.created:
        audit_record(
            actor=acting_user,
            event="training.cost_recorded",
            target=session,
            data={"kind": kind, "amount": str(amount), "entry": ref.number},
        )
    return ref


def session_result(session: Session) -> TagReport:
    """What the session cost and earned in the GIE's book, per account (costs, fees, subsidies), to the centime."""
    return tag_report(book=_gie_book(), tag=session_tag(session))


def funder_owes(funder: Funder, grant: Grant | None = None) -> Decimal:
    """What a funder still owes: the subsidies recognised (under a grant, if given) less its payments."""
    subsidies = Subsidy.objects.filter(funder=funder)
    payments = SubsidyPayment.objects.filter(funder=funder)
    if grant is not None:
        subsidies = subsidies.filter(session__funders__grant=grant, session__funders__funder=funder)
        payments = payments.filter(grant=grant)
    earned = subsidies.aggregate(total=Sum("amount"))["total"] or ZERO
    paid = payments.aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(earned) - Decimal(paid)


@transaction.atomic
def subsidy_payment_record(
    *,
    funder: Funder,
    amount: Decimal,
    received_on: date,
    method: str,
    idempotency_key: str,
    grant: Grant | None = None,
    reference: str = "",
    acting_user: Any = None,
    today: date | None = None,
) -> SubsidyPayment:
    """Record a funder's payment: GIE Dr 5141 (or 5161) / Cr 34512. Refused above what the funder still owes; the
    same key again returns the first payment and posts nothing."""
    if not is_manager(acting_user):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    existing = SubsidyPayment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if method not in PAYMENT_ACCOUNTS:
        raise DomainError(ErrorCode.TRAINING_BAD_CHOICE, value=method)
    if grant is not None and grant.funder_id != funder.pk:
        raise DomainError(ErrorCode.TRAINING_BAD_CHOICE, value=grant.reference)
    _check_amount(amount)
    Funder.objects.select_for_update().filter(pk=funder.pk).first()  # payments of one funder queue here
    owed = funder_owes(funder, grant)
    if amount > owed:
        raise DomainError(
            ErrorCode.TRAINING_PAYMENT_TOO_LARGE,
            amount=format_amount(amount),
            owed=format_amount(max(owed, ZERO)),
            funder=funder.name_fr,
        )
    ref = journal_entry_post(
        book=_gie_book(),
        posted_on=received_on,
        journal=Journal.BANK if method == SubsidyPayment.Method.BANK else Journal.CASH,
        lines=[
            JournalLine(PAYMENT_ACCOUNTS[SubsidyPayment.Method(method)], debit=amount),
            JournalLine(accounts.SUBSIDIES_RECEIVABLE, credit=amount),
        ],
        description=f"Versement {funder.name_fr}"[:120],
        source_ref=(reference.strip() or funder.slug)[:60],
        idempotency_key=f"training:funder:{funder.pk}:payment:{idempotency_key}"[:120],
        acting_user=acting_user,
        today=today,
    )
    payment = SubsidyPayment.objects.create(
        funder=funder,
        grant=grant,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference.strip()[:80],
        entry_id=ref.je_id,
        idempotency_key=idempotency_key,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_record(
        actor=acting_user,
        event="training.funder_paid",
        target=payment,
        data={"funder": funder.slug, "amount": str(amount), "entry": ref.number},
    )
    return payment
