"""Reads of the fees: what a pool cost over a period, the preview of a run, runs and shares as a user may see them."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import MAX_AMOUNT, ZERO, from_centimes
from gie_erp.core.roles import sees_all_books
from gie_erp.fees import keys
from gie_erp.fees.models import DEBOURS_CODE, Pool, PoolSource, Run, Share
from gie_erp.fees.shares import Split, split
from invoices.models import VatRate
from invoices.services import EXEMPT_CODE, vat_rate_on
from ledger.analytic import tag_reports
from ledger.chart import account_name
from ledger.models import Book
from ledger.selectors import movement_centimes
from members.models import Organization

FEE_TAG_PREFIX = "fees:"  # services.pool_tag: what a run posts carries it
REASONS = {
    "joined": _("adhésion après la période"),
    "left": _("sortie avant la période"),
    "exempted": _("exemptée par décision"),
    "zero": _("poids nul sur la période"),
}


@dataclass(frozen=True, slots=True)
class SourceAmount:
    """What one account (or its lines under a tag prefix) moved in the GIE's book over the period."""

    account_code: str
    tag_prefix: str
    debit: Decimal
    credit: Decimal

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit

    @property
    def is_recovery(self) -> bool:
        """A revenue that already recovers the pool's costs (commissions, training fees, subsidies)."""
        return self.account_code.startswith("7")

    @property
    def name(self) -> str:
        return account_name(self.account_code)


@dataclass(frozen=True, slots=True)
class PoolAmount:
    """A pool over a period: costs − what already recovers them + the fixed amount = what the members share."""

    sources: tuple[SourceAmount, ...]
    fixed: Decimal

    @property
    def costs(self) -> Decimal:
        return sum((s.net for s in self.sources if not s.is_recovery), ZERO)

    @property
    def recovered(self) -> Decimal:
        return sum((-s.net for s in self.sources if s.is_recovery), ZERO)

    @property
    def amount(self) -> Decimal:
        return self.costs - self.recovered + self.fixed


@dataclass(frozen=True, slots=True)
class Excluded:
    organization: Organization
    reason: str


@dataclass(frozen=True, slots=True)
class Preview:
    """A run as it would post: the pool's amount, each member's line, who is left out and why."""

    pool: Pool
    starts_on: date
    ends_on: date
    pool_amount: PoolAmount
    vat_rate: VatRate
    split: Split[int]
    members: dict[int, Organization]
    excluded: tuple[Excluded, ...]

    @property
    def lines(self) -> list[tuple[Organization, Any]]:
        return [(self.members[line.key], line) for line in self.split.lines]


def _tagged(book: Book, sources: list[PoolSource], start: date, end: date) -> dict[tuple[str, str], list[int]]:
    """Centimes (debit, credit) per (account, prefix) for the tagged sources, and what every claimed prefix took
    from each account (key (account, "*"))."""
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for prefix in sorted({s.tag_prefix for s in sources if s.tag_prefix}):
        claimed = {s.account_code for s in sources if s.tag_prefix == prefix}
        for report in tag_reports(book=book, prefix=prefix, start=start, end=end):
            for row in report.accounts:
                if row.account_code not in claimed:
                    continue
                for key in ((row.account_code, prefix), (row.account_code, "*")):
                    out[key][0] += int(row.debit * 100)
                    out[key][1] += int(row.credit * 100)
    return out


def pool_amount(pool: Pool, start: date, end: date) -> PoolAmount:
    """The pool's sources over [start, end] in the GIE's book. An untagged source takes its account less the lines
    that tagged sources (of any pool) claim, so that no centime feeds two pools."""
    fixed = pool.fixed_monthly * len(keys.months_between(start, end))
    own = list(pool.sources.all())
    book = keys.gie_book()
    if book is None or not own:
        return PoolAmount(sources=(), fixed=fixed)
    codes = {s.account_code for s in own}
    every = list(PoolSource.objects.filter(account_code__in=codes, pool__is_active=True))
    if not any(s.pk == o.pk for s in every for o in own):  # an inactive pool previewed: its own sources count
        every += own
    tagged = _tagged(book, every, start, end)
    # the runs' own lines (tagged fees:<pool>) never feed a pool: a pool of débours is not emptied by its own run
    for report in tag_reports(book=book, prefix=FEE_TAG_PREFIX, start=start, end=end):
        for row in report.accounts:
            if row.account_code in codes:
                taken = tagged[(row.account_code, "*")]
                taken[0] += int(row.debit * 100)
                taken[1] += int(row.credit * 100)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_book, code), (debit, credit) in movement_centimes(book_ids=[book.pk], start=start, end=end).items():
        if code in codes:
            totals[code][0] += debit
            totals[code][1] += credit
    amounts = []
    for source in own:
        if source.tag_prefix:
            debit, credit = tagged.get((source.account_code, source.tag_prefix), [0, 0])
        else:
            taken = tagged.get((source.account_code, "*"), [0, 0])
            debit = totals[source.account_code][0] - taken[0]
            credit = totals[source.account_code][1] - taken[1]
        amounts.append(
            SourceAmount(source.account_code, source.tag_prefix, from_centimes(debit), from_centimes(credit))
        )
    return PoolAmount(sources=tuple(amounts), fixed=fixed)


def _excluded(pool: Pool, start: date, end: date) -> list[Excluded]:
    out = []
    exempted = set(pool.exempted.values_list("pk", flat=True))
    candidates = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).filter(
        Q(joined_on__gt=end) | Q(left_on__lt=start) | Q(pk__in=exempted)
    )
    for organization in candidates.order_by("legal_name_fr"):
        if organization.pk in exempted:
            reason = "exempted"
        elif organization.joined_on and organization.joined_on > end:
            reason = "joined"
        else:
            reason = "left"
        out.append(Excluded(organization, str(REASONS[reason])))
    return out


def effective_vat_code(pool: Pool) -> str:
    """The pool's VAT code, unless the GIE itself is exempt (art. 91): then its fees carry no VAT."""
    gie_exempt = Organization.objects.filter(
        kind=Organization.Kind.GIE, vat_status=Organization.VatStatus.EXEMPT
    ).exists()
    if gie_exempt and pool.vat_code != DEBOURS_CODE:
        return EXEMPT_CODE
    return pool.vat_code


def run_preview(pool: Pool, start: date, end: date) -> Preview:
    """What a run of ``pool`` over [start, end] would bill, nothing written. Refused when there is nothing to share
    or nobody to share it with."""
    amount = pool_amount(pool, start, end)
    if amount.amount <= 0:
        raise DomainError(
            ErrorCode.FEES_NOTHING_TO_SHARE,
            costs=format_amount(amount.costs),
            recovered=format_amount(amount.recovered),
            fixed=format_amount(amount.fixed),
            amount=format_amount(amount.amount),
        )
    exempted = set(pool.exempted.values_list("pk", flat=True))
    members = [m for m in keys.members_in_period(start, end) if m.pk not in exempted]
    weights = keys.weights(pool.key, members, start, end, pool)
    excluded = _excluded(pool, start, end)
    by_id = {m.pk: m for m in members}
    excluded += [Excluded(by_id[pk], str(REASONS["zero"])) for pk, w in weights.items() if w <= 0]
    if not any(w > 0 for w in weights.values()):
        raise DomainError(ErrorCode.FEES_NO_WEIGHT)
    rate = vat_rate_on(effective_vat_code(pool), end)
    shares = split(amount.amount, weights, rate.rate)
    _check_invoice_sized(shares, by_id)
    return Preview(
        pool=pool,
        starts_on=start,
        ends_on=end,
        pool_amount=amount,
        vat_rate=rate,
        split=shares,
        members=by_id,
        excluded=tuple(excluded),
    )


def _check_invoice_sized(shares: Split[int], members: dict[int, Organization]) -> None:
    """Each share becomes an invoice whose every posted line (the TTC above all) must stay within MAX_AMOUNT: say so
    on the preview, in figures people read, rather than after the accountant confirmed it."""
    largest = max(shares.lines, key=lambda line: (line.total, -line.key), default=None)
    if largest is not None and largest.total > MAX_AMOUNT:
        raise DomainError(
            ErrorCode.FEES_SHARE_TOO_LARGE,
            member=members[largest.key].legal_name_fr,
            amount=format_amount(largest.total),
            limit=format_amount(MAX_AMOUNT),
        )


def overlapping_runs(pool: Pool, start: date, end: date) -> QuerySet[Run]:
    """The pool's posted runs whose period meets [start, end]."""
    return Run.objects.filter(pool=pool, state=Run.State.POSTED, starts_on__lte=end, ends_on__gte=start)


def run_qs_visible(*, user: Any) -> QuerySet[Run]:
    if sees_all_books(getattr(user, "role", "")):
        return Run.objects.select_related("pool")
    return Run.objects.none()


def share_qs_visible(*, user: Any) -> QuerySet[Share]:
    """Staff see every share; a cooperative's representative only its own cooperative's."""
    qs = Share.objects.select_related("run__pool", "organization", "document", "credit_note")
    if sees_all_books(getattr(user, "role", "")):
        return qs
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None:
        return qs.none()
    return qs.filter(organization_id=organization_id)
