"""Billing a session once it is over (DESIGN §6 "Training"; issue 13, point 6).

Who is billed: every seated trainee (promoted ones included) and every enrolment cancelled after the deadline;
nobody for a free cancellation or a place still on the waitlist. A trainee *attended* when present at one
half-day at least. Per trainee, each funder pays its share (``training.maths``): a rate of the fee HT or an amount,
for every trainee billed or only for those who attended; the member pays the rest.

Each member gets one invoice from the GIE for its trainees (``invoices.services``, origin *training*: GIE Dr
3463·member / Cr 7124 / Cr 44551; member Dr 6136 / Dr 34554 or its VAT as its own line / Cr 4488·GIE), one line per
member's share (attendees, and absentees who pay the attendance funders' part too), at the course's VAT code. Each
funder's total is recognised in the GIE's book when billed: Dr 34512 (subsidy receivable; the funder is no book of
the group, so no partner) / Cr the ``subsidy`` posting rule's revenue account (7161). The rule's debit account is
where the money lands when the funder pays (5141), which clears 34512 later.

Billing is once per session: a replay returns what the first run made and posts nothing (``Session.billed_on``,
one idempotency key per document and per funder's entry).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount, format_day
from invoices.models import Document, DocumentLine
from invoices.parties import party_for_member
from invoices.services import LineInput, document_save_draft, documents_validate
from ledger import accounts
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import posting_rule
from ledger.services import journal_entries_post
from members.models import Organization
from training.enrolment import session_lock
from training.maths import FunderTerms, SessionBill, compute_bill, trainee_split
from training.models import Attendance, Enrolment, Session, SessionFunder, Subsidy, TrainingInvoice


@dataclass(frozen=True, slots=True)
class SessionBilling:
    """What billing a session made: the members' invoices and the funders' subsidies."""

    session: Session
    invoices: tuple[TrainingInvoice, ...]
    subsidies: tuple[Subsidy, ...]


def _terms(session: Session) -> list[FunderTerms[int]]:
    terms = []
    for row in SessionFunder.objects.filter(session=session).order_by("pk"):
        value = row.rate if row.kind == SessionFunder.Kind.PERCENT else row.amount
        if value is None:  # the check constraint forbids it
            raise ValueError(f"session funder {row.pk} has no {row.kind} value")
        terms.append(FunderTerms(key=row.funder_id, kind=row.kind, value=value, basis=row.basis))
    return terms


def billed_enrolments(session: Session) -> list[Enrolment]:
    """The enrolments a session bills: seated trainees and late cancellations, by member then enrolment."""
    return list(
        Enrolment.objects.filter(session=session, state__in=[Enrolment.State.ENROLLED, Enrolment.State.CANCELLED])
        .exclude(state=Enrolment.State.CANCELLED, cancelled_late=False)
        .order_by("organization_id", "pk")
    )


def session_tag(session: Session) -> str:
    """The analytic tag of everything a session costs and earns in the GIE's book."""
    return f"training:{session.slug}"


def session_bill_plan(session: Session) -> SessionBill[int, int]:
    """The session's bill as it stands (nothing written): per member its lines, per funder its total."""
    attended = set(
        Attendance.objects.filter(enrolment__session=session, present=True).values_list("enrolment_id", flat=True)
    )
    trainees = [(e.organization_id, e.pk in attended) for e in billed_enrolments(session)]
    return compute_bill(session.fee_per_trainee, _terms(session), trainees)


def _existing(session: Session) -> SessionBilling:
    return SessionBilling(
        session=session,
        invoices=tuple(TrainingInvoice.objects.filter(session=session).select_related("document").order_by("pk")),
        subsidies=tuple(Subsidy.objects.filter(session=session).order_by("pk")),
    )


@transaction.atomic
def session_bill(*, session: Session, on: date, acting_user: Any = None, today: date | None = None) -> SessionBilling:
    """Bill a finished session on ``on``: one validated invoice per member for its trainees net of the funders'
    shares, and each funder's share recognised in the GIE's book. Once per session: a replay posts nothing."""
    session = session_lock(session)
    if session.billed_on is not None:
        return _existing(session)
    if session.state == Session.State.CANCELLED:
        raise DomainError(ErrorCode.TRAINING_SESSION_CANCELLED)
    if on < session.ends_on:
        raise DomainError(ErrorCode.TRAINING_NOT_ENDED, date=format_day(session.ends_on))
    bill = session_bill_plan(session)
    trainees = Counter(e.organization_id for e in billed_enrolments(session))
    gie = Organization.objects.get(kind=Organization.Kind.GIE)
    members = Organization.objects.in_bulk([pk for pk in bill.lines if bill.member_net(pk) > 0])
    attendee_share = trainee_split(session.fee_per_trainee, _terms(session), attended=True).member
    drafts = {
        pk: document_save_draft(
            issuer=gie,
            customer=party_for_member(organization=organization),
            issued_on=on,
            lines=_lines(session, bill.lines[pk], attendee_share),
            note=_note(session),
            origin=Document.Origin.TRAINING,
            origin_ref=session.slug,
            analytic_tag=session_tag(session),
            idempotency_key=f"training:{session.pk}:{pk}",
            acting_user=acting_user,
        )
        for pk, organization in sorted(members.items())
    }
    if drafts:
        validated = documents_validate(
            document_ids=[d.pk for d in drafts.values()], acting_user=acting_user, today=today
        )
        drafts = dict(zip(drafts, validated, strict=True))  # in the order given
    invoices = [
        TrainingInvoice.objects.create(session=session, organization_id=pk, document=document, trainees=trainees[pk])
        for pk, document in drafts.items()
    ]
    subsidies = [
        Subsidy.objects.create(
            session=session, funder_id=funder_id, trainees=bill.funder_trainees[funder_id], amount=amount, earned_on=on
        )
        for funder_id, amount in sorted(bill.funder_totals.items())
        if amount > 0
    ]
    if subsidies:
        journal_entries_post(drafts=_subsidy_drafts(session, subsidies, gie), acting_user=acting_user, today=today)
    session.billed_on, session.state = on, Session.State.CLOSED
    session.save(update_fields=["billed_on", "state"])
    # nobody waits for a seat of a session that is over: the places still waiting close, free of charge
    Enrolment.objects.filter(session=session, state=Enrolment.State.WAITLISTED).update(
        state=Enrolment.State.CANCELLED, waitlist_position=None, cancelled_at=timezone.now(), cancelled_late=False
    )
    audit_record(
        actor=acting_user,
        event="training.billed",
        target=session,
        data={
            "on": on.isoformat(),
            "invoices": {str(pk): str(d.total_gross) for pk, d in drafts.items()},
            "subsidies": {str(s.funder_id): str(s.amount) for s in subsidies},
        },
    )
    return SessionBilling(session=session, invoices=tuple(invoices), subsidies=tuple(subsidies))


def _texts(session: Session, *, absent: bool) -> dict[str, str]:
    """A line's wording in French and Arabic (a document keeps both, whoever bills)."""
    values = {
        "course": session.course.title_fr,
        "start": format_day(session.starts_on),
        "end": format_day(session.ends_on),
    }
    texts = {}
    for language in ("fr", "ar"):
        with translation.override(language):
            if language == "ar":
                values["course"] = session.course.title_ar or session.course.title_fr
            text = gettext("Formation « %(course)s » du %(start)s au %(end)s") % values
            if absent:
                text += " · " + gettext("stagiaires absents ou annulés après la date limite")
            texts[language] = text
    return texts


def _lines(session: Session, shares: Counter[Decimal], attendee_share: Decimal) -> list[LineInput]:
    """One line per member's share: the attendees' first, then those who pay the attendance funders' part too."""
    lines = []
    for share, count in sorted(shares.items()):
        texts = _texts(session, absent=share > attendee_share)
        lines.append(
            LineInput(
                description=texts["fr"],
                description_ar=texts["ar"],
                quantity=Decimal(count),
                unit_price=share,
                vat_code=session.course.vat_code,
                kind=DocumentLine.Kind.SERVICE,
            )
        )
    return lines


def _note(session: Session) -> str:
    """The fee per trainee and who paid part of it, in French (the document's printed language)."""
    funders = [
        sf.funder.name_fr
        for sf in SessionFunder.objects.filter(session=session).select_related("funder").order_by("pk")
    ]
    values = {"fee": format_amount(session.fee_per_trainee), "funders": ", ".join(funders)}
    with translation.override("fr"):
        if funders:
            note = gettext("Frais de %(fee)s DH HT par stagiaire, moins la part prise en charge par : %(funders)s.")
        else:
            note = gettext("Frais de %(fee)s DH HT par stagiaire.")
    return (note % values)[:500]


def _subsidy_drafts(session: Session, subsidies: list[Subsidy], gie: Organization) -> list[EntryDraft]:
    """Each funder's share earned: GIE Dr 34512 / Cr 7161 (the ``subsidy`` rule's revenue account)."""
    book_id = Book.objects.get(organization=gie).pk
    revenue = posting_rule("subsidy", "gie").credit_account
    drafts = []
    for subsidy in subsidies:
        funder = subsidy.funder
        drafts.append(
            EntryDraft(
                book_id=book_id,
                posted_on=subsidy.earned_on,
                journal=Journal.MISC,
                description=f"Subvention {funder.name_fr} · formation {session.slug}"[:120],
                source_ref=session.slug[:60],
                idempotency_key=f"training:{session.pk}:subsidy:{funder.pk}",
                lines=(
                    JournalLine(accounts.SUBSIDIES_RECEIVABLE, debit=subsidy.amount),
                    JournalLine(revenue, credit=subsidy.amount, tag=session_tag(session)),
                ),
            )
        )
    return drafts
