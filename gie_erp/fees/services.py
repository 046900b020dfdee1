"""Fee runs: post a pool's period as one fee invoice per member through ``invoices.services`` (validated in bulk),
undo it with credit notes. Each action is one transaction; a replay posts nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount, format_day
from gie_erp.fees.models import Pool, PoolSource, Run, Share
from gie_erp.fees.selectors import FEE_TAG_PREFIX, Preview, effective_vat_code, overlapping_runs, run_preview
from gie_erp.fees.tasks import run_notices_dispatch, tasks_run_in_process
from invoices.bulk import DraftInput, documents_save_drafts
from invoices.models import Document, DocumentLine
from invoices.parties import parties_for_members
from invoices.services import LineInput, credit_note_create, documents_validate
from ledger.models import Book
from ledger.selectors import first_open_days
from members.models import Organization


def pool_tag(pool: Pool) -> str:
    """The analytic tag of a pool's fee revenue in the GIE's book."""
    return f"{FEE_TAG_PREFIX}{pool.slug}"


def _period_text(start: date, end: date) -> str:
    return f"{format_day(start)} – {format_day(end)}"


def _line(pool: Pool, preview: Preview, share: Decimal) -> LineInput:
    period = _period_text(preview.starts_on, preview.ends_on)
    return LineInput(
        description=f"Quote-part {pool.name_fr} ({period})"[:200],
        description_ar=f"{pool.name_ar or pool.name_fr} ({period})"[:200],
        quantity=Decimal(1),
        unit_price=share,
        vat_code=preview.vat_rate.code,
        kind=DocumentLine.Kind.SERVICE,
        account_code=pool.revenue_account,
    )


def check_period_ended(day: date, today: date | None = None) -> None:
    """A period is billed from the day after its last day ``day``: on that day its costs may still move."""
    if day >= (today or timezone.localdate()):
        raise DomainError(ErrorCode.FEES_PERIOD_NOT_ENDED, date=format_day(day + timedelta(days=1)))


#: why a run's invoices (or its undo's credit notes) carry the date they carry, as the pages say it
DATE_REASONS = {
    "period_end": _("le dernier jour de la période"),
    "later_invoices": _(
        "le jour de la facturation : des factures du GIE sont déjà validées à des dates postérieures à la fin de la "
        "période, et les numéros suivent les dates (chaque facture dit la période qu'elle facture)"
    ),
    "locked": _(
        "le jour de la facturation : le mois de la fin de la période est verrouillé dans un livre (chaque facture "
        "dit la période qu'elle facture)"
    ),
    "today": _("le jour de l'annulation"),
    "first_open": _("le premier jour ouvert des livres : le mois en cours y est verrouillé"),
}


@dataclass(frozen=True, slots=True)
class IssueDate:
    """The date documents will carry and why (a key of ``DATE_REASONS``)."""

    day: date
    reason: str

    @property
    def why(self) -> str:
        return str(DATE_REASONS[self.reason])


def _book_ids(organization_ids: Iterable[int]) -> list[int]:
    """The books of the GIE and of these organizations (the two sides of a fee invoice)."""
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).values_list("pk", flat=True)
    return list(Book.objects.filter(organization_id__in={*gie, *organization_ids}).values_list("pk", flat=True))


def _open_day(book_ids: list[int], today: date, reason: str) -> IssueDate:
    """``today``, or the ledger's first open day when today's month is locked in one of the books."""
    day = max(first_open_days(book_ids=book_ids, on=today).values(), default=today) if book_ids else today
    return IssueDate(day, reason if day == today else "first_open")


def _later_gie_invoices(after: date) -> bool:
    """A validated invoice of the GIE's series of that year dated after ``after``: numbering an earlier date now
    would break the order of numbers and dates."""
    return (
        Document.objects.filter(
            issuer__kind=Organization.Kind.GIE,
            kind=Document.Kind.INVOICE,
            issued_on__gt=after,
            issued_on__year=after.year,
        )
        .exclude(status=Document.Status.DRAFT)
        .exists()
    )


def run_issue_date(*, ends_on: date, organization_ids: Iterable[int], today: date | None = None) -> IssueDate:
    """The date of a run's invoices: the period's last day, unless the GIE's series already holds a validated invoice
    dated after it or that month is locked in a book; then the day of posting (the first open day if its month is
    locked). The due date counts from it."""
    today = today or timezone.localdate()
    book_ids = _book_ids(organization_ids)
    at_end = first_open_days(book_ids=book_ids, on=ends_on) if book_ids else {}
    if any(day != ends_on for day in at_end.values()):
        return _open_day(book_ids, today, "locked")
    if _later_gie_invoices(ends_on):
        return _open_day(book_ids, today, "later_invoices")
    return IssueDate(ends_on, "period_end")


def undo_date(*, run: Run, today: date | None = None) -> IssueDate:
    """The date of an undo's credit notes: the day of the undo (the period's VAT may be returned and paid since),
    or the ledger's first open day when that month is locked in a book."""
    today = today or timezone.localdate()
    return _open_day(_book_ids(run.shares.values_list("organization_id", flat=True)), today, "today")


def share_key(pool: Pool, start: date, end: date, organization_id: int, generation: int) -> str:
    """One idempotency key per (pool, period, member); a run redone after an undo counts its generation."""
    key = f"fees:{pool.slug}:{start.isoformat()}..{end.isoformat()}:{organization_id}"
    return f"{key}:g{generation}" if generation else key


def _check_unchanged(run: Run) -> None:
    """A replay of a posted run posts nothing; but if the pool would now be shared otherwise (its key, a member's
    weight or the costs changed), saying "done" would hide it: the run must be undone first."""
    try:
        preview = run_preview(run.pool, run.starts_on, run.ends_on)
        now = {line.key: line.share for line in preview.split.lines}
    except DomainError:
        now = {}
    posted = dict(run.shares.values_list("organization_id", "share"))
    if now != posted or run.key != run.pool.key or run.vat_code != effective_vat_code(run.pool):
        raise DomainError(
            ErrorCode.FEES_RUN_CHANGED,
            pool=run.pool.name_fr,
            start=format_day(run.starts_on),
            end=format_day(run.ends_on),
        )


@transaction.atomic
def run_post(
    *,
    pool: Pool,
    starts_on: date,
    ends_on: date,
    issued_on: date | None = None,
    expected_total: Decimal | None = None,
    acting_user: Any = None,
    today: date | None = None,
) -> Run:
    """Bill the pool's period, once it has ended: one validated fee invoice per member with a share, dated as
    ``run_issue_date`` says unless ``issued_on`` is given. The same pool and period again returns the run already
    posted; a period meeting another posted run of the pool is refused (undo it first). ``expected_total`` (the
    preview's total TTC the accountant confirmed) must still hold."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    same = Run.objects.filter(pool=pool, starts_on=starts_on, ends_on=ends_on, state=Run.State.POSTED).first()
    if same is not None:
        _check_unchanged(same)
        return same
    clash = overlapping_runs(pool, starts_on, ends_on).first()
    if clash is not None:
        raise DomainError(
            ErrorCode.FEES_PERIOD_OVERLAP,
            pool=pool.name_fr,
            start=format_day(clash.starts_on),
            end=format_day(clash.ends_on),
        )
    today = today or timezone.localdate()
    check_period_ended(ends_on, today)
    preview = run_preview(pool, starts_on, ends_on)
    billed = [organization.pk for organization, _line in preview.lines]
    issued_on = issued_on or run_issue_date(ends_on=ends_on, organization_ids=billed, today=today).day
    if expected_total is not None and preview.split.total != expected_total:
        raise DomainError(
            ErrorCode.FEES_PREVIEW_CHANGED,
            expected=format_amount(expected_total),
            actual=format_amount(preview.split.total),
        )
    generation = Run.objects.filter(pool=pool, starts_on=starts_on, ends_on=ends_on).count()
    amount = preview.pool_amount
    run = Run.objects.create(
        pool=pool,
        starts_on=starts_on,
        ends_on=ends_on,
        issued_on=issued_on,
        key=pool.key,
        vat_code=preview.vat_rate.code,
        costs=amount.costs,
        recovered=amount.recovered,
        fixed=amount.fixed,
        amount=amount.amount,
        total_vat=preview.split.total_vat,
        generation=generation,
        posted_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    gie = Organization.objects.get(kind=Organization.Kind.GIE)
    lines = preview.lines
    parties = parties_for_members(organizations=[organization for organization, _line in lines])
    drafts = documents_save_drafts(
        issuer=gie,
        issued_on=issued_on,
        drafts=[
            DraftInput(
                customer=parties[organization.pk],
                lines=[_line(pool, preview, line.share)],
                idempotency_key=share_key(pool, starts_on, ends_on, organization.pk, generation),
            )
            for organization, line in lines
        ],
        note=f"{pool.name_fr} : {_period_text(starts_on, ends_on)}",
        origin=Document.Origin.FEE_RUN,
        origin_ref=f"{pool.slug}:{starts_on:%Y-%m}",
        analytic_tag=pool_tag(pool),
        expense_account=pool.member_account,
        acting_user=acting_user,
    )
    validated = documents_validate(document_ids=[d.pk for d in drafts], acting_user=acting_user, today=today)
    Share.objects.bulk_create(
        Share(
            run=run,
            organization_id=organization.pk,
            weight=line.weight,
            exact=line.exact,
            share=line.share,
            vat=line.vat,
            document=document,
        )
        for (organization, line), document in zip(lines, validated, strict=True)
    )
    if not tasks_run_in_process():  # workers render the notices afterwards; embedded, each when first opened
        transaction.on_commit(lambda: run_notices_dispatch(run.pk))
    audit_record(
        actor=acting_user,
        event="fees.run_posted",
        target=run,
        data={
            "pool": pool.slug,
            "period": f"{starts_on.isoformat()}..{ends_on.isoformat()}",
            "amount": str(amount.amount),
            "invoices": len(validated),
            "total": str(preview.split.total),
        },
    )
    return run


def _left_to_credit(invoice: Document) -> list[LineInput] | None:
    """None (the whole invoice) unless a credit note made by hand took part of it: then one line for what is left."""
    if invoice.amount_credited <= 0:
        return None
    credited = sum(
        (n.total_net for n in Document.objects.filter(corrects=invoice).exclude(status=Document.Status.DRAFT)),
        Decimal(0),
    )
    line = invoice.lines.select_related("vat_rate").order_by("position").first()
    assert line is not None
    return [
        LineInput(
            description=line.description,
            description_ar=line.description_ar,
            quantity=Decimal(1),
            unit_price=invoice.total_net - credited,
            vat_code=line.vat_rate.code,
            kind=line.kind,
            account_code=line.account_code,
        )
    ]


@transaction.atomic
def run_undo(*, run: Run, reason: str, acting_user: Any = None, today: date | None = None) -> Run:
    """Credit every invoice of the run (a credit note each, validated in bulk), dated the day of the undo (the
    period's VAT may have been returned and paid since), or the first open day when that month is locked in a book.
    The members' notices are rendered again to say so. A replay does nothing."""
    run = Run.objects.select_for_update().select_related("pool").get(pk=run.pk)
    if run.state == Run.State.UNDONE:
        return run
    reason = reason.strip()
    if not reason:
        raise DomainError(ErrorCode.FEES_REASON_REQUIRED)
    shares = [
        share
        for share in run.shares.select_related("document").filter(document__isnull=False, credit_note__isnull=True)
        if share.document is not None and share.document.creditable > 0  # credited by hand already: nothing left
    ]
    on = undo_date(run=run, today=today).day
    notes = {}
    for share in shares:
        assert share.document is not None
        notes[share.pk] = credit_note_create(
            invoice=share.document,
            issued_on=on,
            lines=_left_to_credit(share.document),
            note=f"Annulation de la répartition {run.pool.name_fr} : {reason}"[:500],
            idempotency_key=f"fees-undo:{run.pk}:{share.organization_id}",
            acting_user=acting_user,
        )
    if notes:
        documents_validate(document_ids=[n.pk for n in notes.values()], acting_user=acting_user, today=today)
    for share in shares:
        share.credit_note = notes[share.pk]
    Share.objects.bulk_update(shares, ["credit_note"])
    # the notices rendered at posting say "to pay": render them again, with the credit note
    Share.objects.filter(run=run).update(rendered_at=None)
    if notes and not tasks_run_in_process():
        transaction.on_commit(lambda: run_notices_dispatch(run.pk))
    run.mark_undone(reason=reason, acting_user=acting_user, state=Run.State.UNDONE)
    audit_record(
        actor=acting_user,
        event="fees.run_undone",
        target=run,
        data={"reason": reason, "credit_notes": len(notes), "on": on.isoformat()},
    )
    return run


@transaction.atomic
def pool_source_add(*, pool: Pool, account_code: str, tag_prefix: str = "", acting_user: Any = None) -> PoolSource:
    """Feed ``pool`` with an account (its lines under ``tag_prefix`` if given). An account with a prefix overlapping
    another pool's on the same account is refused: no centime feeds two pools."""
    for other in PoolSource.objects.select_related("pool").filter(account_code=account_code):
        if other.pool_id == pool.pk and other.tag_prefix == tag_prefix:
            return other
        a, b = other.tag_prefix, tag_prefix
        if a == b or (a and b and (a.startswith(b) or b.startswith(a))):
            raise DomainError(
                ErrorCode.FEES_SOURCE_TAKEN, account=account_code, tag=tag_prefix, pool=other.pool.name_fr
            )
    source = PoolSource(pool=pool, account_code=account_code, tag_prefix=tag_prefix)
    source.full_clean()
    source.save()
    audit_record(
        actor=acting_user, event="fees.source_added", target=pool, data={"account": account_code, "tag": tag_prefix}
    )
    return source
