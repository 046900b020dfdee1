"""Settling a member for an event (DESIGN §6 "Fair sale, mandate mode"; issue 12, point 6).

The takings are the member's summaries of the event posted up to the settlement date and not yet settled: what
4463·member holds for this event. The GIE's commission is computed ONCE on that total (``sales.maths.commission``
on the TTC or the HT, per the channel, at the event's rate) and invoiced to the member through
``invoices.services`` (a document to a member: GIE Dr 3463·member / Cr 71272 / Cr 44551; member Dr 6136 / Dr 34554
— or 6136 again for an art. 91 member — / Cr 4488·GIE). The GIE then nets 4463·member against that invoice, and
against the member's other open invoices if the member agreed (``SalesTerms.offset_other_invoices``), by a
compensation (``Payment.Method.OFFSET``: GIE Dr 4463 / Cr 3463, member Dr 4488 / Cr 3488, the VAT due as on any
payment), and pays the rest (GIE Dr 4463 / Cr 5141, member Dr 5141 / Cr 3488). A commission larger than the takings
(refunds) is netted up to the takings: nothing is paid and the rest stays open on the invoice.

Consigned goods missing at the end that the GIE decided to pay (``consignment.difference_decide``: GIE Dr 6111 / Cr
4463·member at the ticket price) are owed to the member like takings: the next settlement of the event pays them
(``Settlement.differences``; each such deposit points to the settlement that paid it). They carry no commission: the
GIE bought them, nobody sold them.

Each (event, member, date) gets one ``Settlement``; its summaries and paid differences point to it, so what is left
due to a member for an event is the sum of its summaries and GIE-paid differences with no settlement (``due_for``).
``Settlement.offsets`` counts the other invoices netted; the commission netted is ``takings + differences − offsets
− net_paid`` (``Settlement.commission_netted``).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import ZERO
from invoices.models import Document, DocumentLine, Payment
from invoices.parties import party_for_member
from invoices.payments import payment_record
from invoices.services import STANDARD_CODE, LineInput, document_save_draft, documents_validate, vat_rate_on
from invoices.totals import line_amounts
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import posting_rule
from ledger.services import journal_entries_post
from members.models import Organization
from sales.maths import commission
from sales.models import CommissionBase, Deposit, Event, Participation, SalesTerms, Settlement, Summary


@dataclass(frozen=True, slots=True)
class SettlementPlan:
    """What settling a member for an event on a date does, before anything is written."""

    event: Event
    organization: Organization
    on: date
    summaries: tuple[Summary, ...]
    deposits: tuple[Deposit, ...]  # missing goods the GIE decided to pay, not yet paid
    takings: Decimal  # TTC collected for the member (4463·member for this event)
    differences: Decimal  # what those deposits' goods cost the GIE at the ticket price (4463·member too)
    takings_vat: Decimal  # the VAT inside (the member's, 0 for an art. 91 member)
    base: Decimal  # what the commission is computed on: the takings TTC or HT
    rate: Decimal
    commission_ht: Decimal
    commission_vat: Decimal
    commission_ttc: Decimal
    commission_netted: Decimal  # the part of the commission invoice netted now (all of it unless refunds)
    offsets: list[tuple[Document, Decimal]]  # the member's other open invoices netted (with its agreement)
    net: Decimal  # paid to the member

    @property
    def offsets_total(self) -> Decimal:
        return sum((amount for _document, amount in self.offsets), ZERO)

    @property
    def owed(self) -> Decimal:
        """What 4463·member holds for this event and this settlement: takings and GIE-paid differences."""
        return self.takings + self.differences


def _gie() -> Organization:
    return Organization.objects.get(kind=Organization.Kind.GIE)


def _check_participant(event: Event, organization: Organization) -> None:
    if not Participation.objects.filter(event=event, organization=organization).exists():
        raise DomainError(ErrorCode.SALES_NOT_PARTICIPANT, member=organization.legal_name_fr, event=event.name_fr)


def _unsettled(event: Event, organization_ids: Sequence[int], on: date) -> Any:
    return Summary.objects.filter(
        event=event, organization_id__in=organization_ids, settlement__isnull=True, posted_on__lte=on
    ).order_by("day", "organization_id", "method", "part")


def _unsettled_differences(event: Event, organization_ids: Sequence[int], on: date | None) -> Any:
    deposits = Deposit.objects.filter(
        event=event,
        organization_id__in=organization_ids,
        decision=Deposit.Decision.GIE,
        decided_amount__isnull=False,
        settlement__isnull=True,
    )
    if on is not None:
        deposits = deposits.filter(decided_on__lte=on)
    return deposits.select_related("product").order_by("organization_id", "product__code", "pk")


def due_for(event: Event, organization: Organization) -> Decimal:
    """What the GIE still owes a member for an event: its summarized sales and the missing goods the GIE decided to
    pay, not yet settled (0.00: nothing left)."""
    amounts = list(
        Summary.objects.filter(event=event, organization=organization, settlement__isnull=True).values_list(
            "amount", flat=True
        )
    )
    amounts += _unsettled_differences(event, [organization.pk], None).values_list("decided_amount", flat=True)
    return sum(amounts, ZERO)  # a few rows per day: summed exactly here rather than by SQLite's floats


def _open_invoices(gie: Organization, organization: Organization, on: date) -> list[Document]:
    """The member's validated GIE invoices dated up to ``on`` that still have something due, oldest due first."""
    return list(
        Document.objects.filter(
            issuer=gie,
            customer__organization=organization,
            kind=Document.Kind.INVOICE,
            status=Document.Status.VALIDATED,
            issued_on__lte=on,
            total_gross__gt=F("amount_paid") + F("amount_credited") + F("amount_written_off"),
        )
        .select_related("customer", "issuer")
        .order_by("due_on", "issued_on", "pk")
    )


def _plan(
    event: Event,
    organization: Organization,
    on: date,
    summaries: Sequence[Summary],
    deposits: Sequence[Deposit],
    gie: Organization,
) -> SettlementPlan:
    takings = sum((s.amount for s in summaries), ZERO)
    differences = sum((d.decided_amount or ZERO for d in deposits), ZERO)
    takings_vat = sum((s.vat for s in summaries), ZERO)
    base = takings if event.channel.commission_base == CommissionBase.TTC else takings - takings_vat
    rate = event.rate
    commission_ht = max(commission(base, rate), ZERO) if takings > 0 else ZERO
    amounts = line_amounts(
        quantity=Decimal(1),
        unit_price=commission_ht,
        discount_rate=Decimal(0),
        vat_rate=vat_rate_on(STANDARD_CODE, on).rate,
    )
    commission_ttc = amounts.net + amounts.vat
    owed = max(takings + differences, ZERO)
    netted = min(commission_ttc, owed)
    left = owed - netted
    offsets: list[tuple[Document, Decimal]] = []
    terms = SalesTerms.objects.filter(organization=organization).first()
    if left > 0 and terms is not None and terms.offset_other_invoices:
        for document in _open_invoices(gie, organization, on):
            amount = min(document.balance_due, left)
            if amount > 0:
                offsets.append((document, amount))
                left -= amount
    return SettlementPlan(
        event=event,
        organization=organization,
        on=on,
        summaries=tuple(summaries),
        deposits=tuple(deposits),
        takings=takings,
        differences=differences,
        takings_vat=takings_vat,
        base=base,
        rate=rate,
        commission_ht=amounts.net,
        commission_vat=amounts.vat,
        commission_ttc=commission_ttc,
        commission_netted=netted,
        offsets=offsets,
        net=left,
    )


def settlement_preview(event: Event, organization: Organization, *, on: date) -> SettlementPlan:
    """What ``settle`` would do on ``on`` (nothing written; the commission invoice does not exist yet)."""
    event = Event.objects.select_related("channel").get(pk=event.pk)
    _check_participant(event, organization)
    summaries = list(_unsettled(event, [organization.pk], on))
    deposits = list(_unsettled_differences(event, [organization.pk], on))
    return _plan(event, organization, on, summaries, deposits, _gie())


@transaction.atomic
def settle(
    event: Event, organization: Organization, *, on: date, acting_user: Any = None, today: date | None = None
) -> Settlement:
    """Settle one member for an event on a date: commission invoiced and validated, netting, net paid, in every book
    at once. Once per (event, member, date): a replay returns the first settlement."""
    existing = Settlement.objects.filter(event=event, organization=organization, settled_on=on).first()
    if existing is not None:
        return existing
    _check_participant(event, organization)
    settlements = _settle(event, [organization], on=on, acting_user=acting_user, today=today, strict=True)
    if not settlements:  # a twin call settled it while this one waited for the event's lock
        return Settlement.objects.get(event=event, organization=organization, settled_on=on)
    return settlements[0]


@transaction.atomic
def settle_event(event: Event, *, on: date, acting_user: Any = None, today: date | None = None) -> list[Settlement]:
    """Settle every member with summarized, unsettled sales of the event up to ``on`` (commission invoices
    validated in one batch); returns every settlement of the event on that date, the earlier ones included."""
    ids = set(
        Summary.objects.filter(event=event, settlement__isnull=True, posted_on__lte=on)
        .order_by()
        .values_list("organization_id", flat=True)
    )
    ids |= set(
        Deposit.objects.filter(
            event=event, decision=Deposit.Decision.GIE, settlement__isnull=True, decided_on__lte=on
        ).values_list("organization_id", flat=True)
    )
    ids -= set(Settlement.objects.filter(event=event, settled_on=on).values_list("organization_id", flat=True))
    if ids:
        _settle(
            event,
            list(Organization.objects.filter(pk__in=ids).order_by("pk")),
            on=on,
            acting_user=acting_user,
            today=today,
            strict=False,
        )
    return list(
        Settlement.objects.filter(event=event, settled_on=on)
        .select_related("organization", "commission")
        .order_by("organization__legal_name_fr")
    )


def _settle(
    event: Event,
    organizations: list[Organization],
    *,
    on: date,
    acting_user: Any,
    today: date | None,
    strict: bool,
) -> list[Settlement]:
    """Settle some members of one event on one date, all or none (the caller owns the transaction)."""
    Event.objects.select_for_update().filter(pk=event.pk).values_list("pk", flat=True).first()  # queue with summaries
    event = Event.objects.select_related("channel").get(pk=event.pk)
    today = today or timezone.localdate()
    gie = _gie()
    taken = set(Settlement.objects.filter(event=event, settled_on=on).values_list("organization_id", flat=True))
    organizations = [o for o in organizations if o.pk not in taken]
    by_member: dict[int, list[Summary]] = defaultdict(list)
    locked = _unsettled(event, [o.pk for o in organizations], on).select_for_update()
    for summary in locked:
        by_member[summary.organization_id].append(summary)
    deposits: dict[int, list[Deposit]] = defaultdict(list)
    for deposit in _unsettled_differences(event, [o.pk for o in organizations], on).select_for_update(of=("self",)):
        deposits[deposit.organization_id].append(deposit)
    plans = []
    for organization in organizations:
        plan = _plan(event, organization, on, by_member[organization.pk], deposits[organization.pk], gie)
        if plan.owed <= 0:
            if strict:
                raise DomainError(
                    ErrorCode.SALES_NOTHING_TO_SETTLE,
                    member=organization.legal_name_fr,
                    event=event.name_fr,
                    date=on.strftime("%d/%m/%Y"),
                )
            continue  # refunds only since the last settlement: they wait for the next sales
        plans.append(plan)
    documents = _commission_documents(event, plans, gie, acting_user=acting_user)
    if documents:
        documents_validate(document_ids=[d.pk for d in documents.values()], acting_user=acting_user, today=today)
    net_drafts: list[EntryDraft] = []
    settlements = []
    for plan in plans:
        organization = plan.organization
        document = documents.get(organization.pk)
        payment = _offset(event, plan, document, gie, acting_user=acting_user, today=today)
        if plan.net > 0:
            net_drafts += _net_drafts(event, plan, gie)
        settlement = Settlement.objects.create(
            event=event,
            organization=organization,
            settled_on=on,
            takings=plan.takings,
            takings_vat=plan.takings_vat,
            commission_base=plan.base,
            commission_rate=plan.rate,
            commission=document,
            differences=plan.differences,
            offsets=plan.offsets_total,
            offset_payment=payment,
            net_paid=plan.net,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        Summary.objects.filter(pk__in=[s.pk for s in plan.summaries]).update(settlement=settlement)
        if plan.deposits:
            Deposit.objects.filter(pk__in=[d.pk for d in plan.deposits]).update(settlement=settlement)
        audit_record(
            actor=acting_user,
            event="sales.settled",
            target=settlement,
            tenant_id=organization.pk,
            data={
                "event": event.slug,
                "on": on.isoformat(),
                "takings": str(plan.takings),
                **({"differences": str(plan.differences)} if plan.differences else {}),
                "commission": str(plan.commission_ttc),
                "offsets": str(plan.offsets_total),
                "net": str(plan.net),
            },
        )
        settlements.append(settlement)
    if net_drafts:
        journal_entries_post(drafts=net_drafts, acting_user=acting_user, today=today)
    return settlements


def _commission_documents(
    event: Event, plans: list[SettlementPlan], gie: Organization, *, acting_user: Any
) -> dict[int, Document]:
    """One draft commission invoice per member whose commission is not zero, keyed by the member."""
    documents = {}
    for plan in plans:
        if plan.commission_ht <= 0:
            continue
        organization = plan.organization
        texts = _commission_texts(event, plan)
        documents[organization.pk] = document_save_draft(
            issuer=gie,
            customer=party_for_member(organization=organization),
            issued_on=plan.on,
            due_on=plan.on,
            lines=[
                LineInput(
                    description=texts["fr"],
                    description_ar=texts["ar"],
                    quantity=Decimal(1),
                    unit_price=plan.commission_ht,
                    vat_code=STANDARD_CODE,
                    kind=DocumentLine.Kind.SERVICE,
                )
            ],
            payment_terms=texts["terms"],
            note=texts["note"],
            origin=Document.Origin.FAIR_COMMISSION,
            origin_ref=event.slug,
            idempotency_key=f"commission:{event.pk}:{organization.pk}:{plan.on.isoformat()}",
            acting_user=acting_user,
        )
    return documents


def _commission_texts(event: Event, plan: SettlementPlan) -> dict[str, str]:
    """The invoice's wording, French and Arabic (a document keeps both, whoever settles)."""
    basis = {
        CommissionBase.TTC: "TTC",
        CommissionBase.HT: "HT",
    }[CommissionBase(event.channel.commission_base)]
    values = {
        "event": event.name_fr,
        "rate": f"{plan.rate * 100:.2f}".rstrip("0").rstrip(".").replace(".", ","),
        "base": format_amount(plan.base),
        "basis": basis,
        "date": plan.on.strftime("%d/%m/%Y"),
    }
    with translation.override("fr"):
        french = gettext("Commission sur les ventes : %(event)s") % values
        terms = gettext("Compensée sur le règlement des ventes")
        note = gettext("Commission de %(rate)s %% sur %(base)s (%(basis)s), ventes réglées au %(date)s.") % values
    with translation.override("ar"):
        arabic = gettext("Commission sur les ventes : %(event)s") % {**values, "event": event.name_ar or event.name_fr}
    return {"fr": french, "ar": arabic, "terms": terms, "note": note}


def _offset(
    event: Event,
    plan: SettlementPlan,
    document: Document | None,
    gie: Organization,
    *,
    acting_user: Any,
    today: date,
) -> Payment | None:
    """The compensation: the commission invoice (up to the takings) and the agreed other invoices, netted."""
    amounts: dict[int, Decimal] = {}
    documents: list[Document] = []
    if document is not None and plan.commission_netted > 0:
        documents.append(document)
        amounts[document.pk] = plan.commission_netted
    for other, amount in plan.offsets:
        documents.append(other)
        amounts[other.pk] = amount
    total = sum(amounts.values(), ZERO)
    if not total:
        return None
    return payment_record(
        payer=party_for_member(organization=plan.organization),
        collected_by=gie,
        received_on=plan.on,
        method=Payment.Method.OFFSET,
        amount=total,
        idempotency_key=f"settlement:{event.pk}:{plan.organization.pk}:{plan.on.isoformat()}:offset",
        documents=documents,
        amounts=amounts,
        reference=event.slug[:80],
        note=f"Règlement des ventes {event.slug} au {plan.on:%d/%m/%Y}"[:300],
        acting_user=acting_user,
        today=today,
    )


def _net_drafts(event: Event, plan: SettlementPlan, gie: Organization) -> list[EntryDraft]:
    """The net paid by transfer: GIE Dr 4463·member / Cr 5141, member Dr 5141 / Cr 3488·GIE."""
    organization = plan.organization
    books = dict(
        Book.objects.filter(organization_id__in=[gie.pk, organization.pk]).values_list("organization_id", "pk")
    )
    gie_rule, member_rule = posting_rule("fair_settlement", "gie"), posting_rule("fair_settlement", "member")
    key = f"settlement:{event.pk}:{organization.pk}:{plan.on.isoformat()}:net"
    ref = f"{event.slug} {plan.on.isoformat()}"[:60]
    return [
        EntryDraft(
            book_id=books[gie.pk],
            posted_on=plan.on,
            journal=Journal.BANK,
            description=f"Règlement des ventes {event.slug} · {organization.legal_name_fr}"[:120],
            source_ref=ref,
            idempotency_key=f"{key}:gie",
            lines=(
                JournalLine(gie_rule.debit_account, debit=plan.net, partner_id=organization.pk),
                JournalLine(gie_rule.credit_account, credit=plan.net),
            ),
        ),
        EntryDraft(
            book_id=books[organization.pk],
            posted_on=plan.on,
            journal=Journal.BANK,
            description=f"Règlement des ventes {event.slug} · {gie.legal_name_fr}"[:120],
            source_ref=ref,
            idempotency_key=f"{key}:member",
            lines=(
                JournalLine(member_rule.debit_account, debit=plan.net),
                JournalLine(member_rule.credit_account, credit=plan.net, partner_id=gie.pk),
            ),
        ),
    ]
