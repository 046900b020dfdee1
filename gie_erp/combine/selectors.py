"""Reads of the combined accounts: which books a set names, the active pair list, and the combination itself.

Figures are integer centimes (debit − credit) read from the balance tables through ``ledger.selectors``
(``movement_centimes`` by partner), combined by ``eliminate.combine`` (pure). Staff only: the pages and the command
are the GIE's, a cooperative's representative reaches none of this.
"""

import calendar
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from django.db.models import Q

from gie_erp.combine import eliminate
from gie_erp.combine.eliminate import CAUSE_LABELS, Accounts, Cause, Combination
from gie_erp.combine.models import PairRule
from gie_erp.combine.rules import SIDE_FLAGS
from gie_erp.core.errors import DomainError, ErrorCode
from ledger.chart import chart_by_code
from ledger.models import Book
from ledger.pairs import partner_pair_sums, partner_pair_uncancelled
from ledger.selectors import account_totals, movement_centimes
from ledger.statements import Bilan, Cpc, build_bilan, build_cpc
from members.models import Organization

ALL, WOMEN, SECTOR = "all", "women", "sector:"
#: per-book columns are shown on screen up to this many books (the XLSX always has them)
SCREEN_COLUMNS = 12


def active_rules() -> tuple[eliminate.PairRule, ...]:
    """The active pairs in their order, as ``eliminate`` reads them."""
    return tuple(
        eliminate.PairRule(
            rule.key,
            rule.label_fr,
            rule.label_ar or rule.label_fr,
            rule.left_prefixes,
            rule.right_prefixes,
            SIDE_FLAGS[rule.left_book],
            SIDE_FLAGS[rule.right_book],
        )
        for rule in PairRule.objects.filter(active=True).order_by("order", "pk")
    )


def _bad_books(value: str) -> DomainError:
    return DomainError(ErrorCode.COMBINE_BAD_BOOKS, value=value[:200], sectors=", ".join(Organization.Sector.values))


def book_set(spec: str, *, exclude_gie: bool = False) -> list[Book]:
    """The books a set names — ``all``, ``women``, ``sector:CODE`` or ``slug,slug,…`` — with the GIE's book unless
    ``exclude_gie``; the GIE first, then by name. An unknown set or slug, or a set with no book, is a DomainError."""
    text = spec.strip()
    word = text.lower()
    cooperative = Q(organization__kind=Organization.Kind.COOPERATIVE)
    if word in ("", ALL):
        members = cooperative
    elif word == WOMEN:
        members = cooperative & Q(organization__is_women_cooperative=True)
    elif word.startswith(SECTOR):
        sector = word.removeprefix(SECTOR).strip()
        if sector not in Organization.Sector.values:
            raise _bad_books(text)
        members = cooperative & Q(organization__sector=sector)
    else:
        slugs = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        known = set(Book.objects.filter(organization__slug__in=slugs).values_list("organization__slug", flat=True))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown or not slugs:
            raise _bad_books(", ".join(unknown) or text)
        members = Q(organization__slug__in=slugs)
    gie = Q(organization__kind=Organization.Kind.GIE)
    chosen = members & ~gie if exclude_gie else members | gie
    books = list(
        Book.objects.filter(chosen)
        .select_related("organization")
        .order_by("-organization__kind", "organization__legal_name_fr", "organization__slug")
    )
    if not books:
        raise DomainError(ErrorCode.COMBINE_NO_BOOKS, value=text or ALL)
    return books


# --- the combination ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A book of the set, or a partner organization outside it."""

    organization_id: int
    slug: str
    name_fr: str
    name_ar: str
    is_gie: bool
    book_id: int | None = None

    def name(self, language: str) -> str:
        return self.name_ar if language.startswith("ar") and self.name_ar else self.name_fr


@dataclass(frozen=True, slots=True)
class AccountRow:
    code: str
    name_fr: str
    name_ar: str
    by_book: tuple[int, ...]  # one amount per column, in the columns' order
    total: int  # the sum of the books
    eliminations: int
    combined: int

    def name(self, language: str) -> str:
        return self.name_ar if language.startswith("ar") and self.name_ar else self.name_fr


@dataclass(frozen=True, slots=True)
class PairLine:
    """One eliminated pair or one difference: a rule between two books, each side's amount and accounts."""

    rule_key: str
    rule_fr: str
    rule_ar: str
    left: Party
    right: Party
    left_amount: int
    right_amount: int
    left_accounts: Accounts
    right_accounts: Accounts
    cause: Cause | None = None  # differences only

    @property
    def difference(self) -> int:
        return self.left_amount + self.right_amount

    def cause_label(self, language: str) -> str:
        return self.cause_label_ar if language.startswith("ar") else self.cause_label_fr

    @property
    def cause_label_fr(self) -> str:
        return CAUSE_LABELS[self.cause][0] if self.cause is not None else ""

    @property
    def cause_label_ar(self) -> str:
        return CAUSE_LABELS[self.cause][1] if self.cause is not None else ""

    def rule_label(self, language: str) -> str:
        return self.rule_ar if language.startswith("ar") and self.rule_ar else self.rule_fr


@dataclass(frozen=True, slots=True)
class OutsideLine:
    """A flow of a book of the set towards an organization outside it: kept in the combined figures."""

    rule_key: str
    rule_fr: str
    rule_ar: str
    book: Party
    partner: Party
    amount: int
    accounts: Accounts

    def rule_label(self, language: str) -> str:
        return self.rule_ar if language.startswith("ar") and self.rule_ar else self.rule_fr


@dataclass(frozen=True, slots=True)
class CombinedTrialBalance:
    start: date
    end: date
    columns: tuple[Party, ...]
    rows: tuple[AccountRow, ...]
    differences: tuple[PairLine, ...]
    outside: tuple[OutsideLine, ...]
    combination: Combination
    parties: Mapping[int, Party]
    rules: Mapping[str, eliminate.PairRule]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def eliminated_count(self) -> int:
        return self.combination.eliminated_count

    def eliminated_lines(self, limit: int | None = None) -> tuple[PairLine, ...]:
        """The eliminated pairs ready to show, the first ``limit`` of them (a region has 70,000: built on demand)."""
        return tuple(_eliminated_line(e, self.rules, self.parties) for e in self.combination.eliminated[:limit])

    @property
    def eliminated(self) -> tuple[PairLine, ...]:
        return self.eliminated_lines()


@dataclass(frozen=True, slots=True)
class CombinedAccounts:
    trial_balance: CombinedTrialBalance
    bilan: Bilan  # from the combined balances at the end date
    cpc: Cpc  # from the combined movements of the period
    bilan_differences: tuple[PairLine, ...]  # of the balances at the end date (empty when no earlier movement)


def _later_range(end: date) -> tuple[date, date]:
    """Where a timing difference would be completed: from the day after the period to the end of the next month."""
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    return end + timedelta(days=1), date(year, month, calendar.monthrange(year, month)[1])


def _unpartnered(context: "_Context", start: date | None, end: date) -> Callable[[set[int]], Mapping[int, list[str]]]:
    """``eliminate``'s lookup of the accounts with amounts without partner, read for those books only when a
    one-sided difference asks for it."""

    def read(organizations: set[int]) -> Mapping[int, list[str]]:
        book_ids = [book.pk for book in context.books if book.organization_id in organizations]
        found: dict[int, list[str]] = {}
        raw = movement_centimes(book_ids=book_ids, start=start, end=end, by_partner=True)
        for (book_id, code, partner), (debit, credit) in sorted(raw.items()):
            if not partner and debit != credit:
                found.setdefault(context.organization_of[book_id], []).append(code)
        return found

    return read


def _gie_organization_id() -> int:
    return Organization.objects.filter(kind=Organization.Kind.GIE).values_list("pk", flat=True).first() or 0


def _party(organization: Organization, book_id: int | None = None) -> Party:
    return Party(
        organization.pk,
        organization.slug,
        organization.legal_name_fr,
        organization.legal_name_ar,
        organization.kind == Organization.Kind.GIE,
        book_id,
    )


@dataclass(slots=True)
class _Context:
    """What a combination reads once: the books (and their organizations), who is the GIE, the rules."""

    books: list[Book]
    book_ids: list[int] | None  # None: every book of the database (one query without a long IN list)
    organization_of: dict[int, int]
    chosen: list[int]
    gie: int
    rules: tuple[eliminate.PairRule, ...]


def _context(books: Sequence[Book], rules: Sequence[eliminate.PairRule] | None) -> _Context:
    if not books:
        raise DomainError(ErrorCode.COMBINE_NO_BOOKS, value="—")
    every = len(books) == Book.objects.count()
    return _Context(
        books=list(books),
        book_ids=None if every else [book.pk for book in books],
        organization_of={book.pk: book.organization_id for book in books},
        chosen=[book.organization_id for book in books],
        gie=_gie_organization_id(),
        rules=tuple(rules) if rules is not None else active_rules(),
    )


def _sums(
    context: _Context, start: date | None, end: date, *, per_book: bool
) -> tuple[dict[tuple[int, str], int], dict[str, int]]:
    """Each book's amounts per account (keyed by organization, when ``per_book``) and the sum of the books per
    account: one grouped read, partners summed in the database."""
    by_book: dict[tuple[int, str], int] = {}
    total: dict[str, int] = {}
    if per_book:
        organization_of = context.organization_of
        total_get = total.get
        for (book_id, code), (debit, credit) in movement_centimes(
            book_ids=context.book_ids, start=start, end=end
        ).items():
            amount = debit - credit
            by_book[(organization_of[book_id], code)] = amount
            total[code] = total_get(code, 0) + amount
    else:
        totals = account_totals(book_ids=context.book_ids, start=start, end=end)
        total = {code: debit - credit for code, (debit, credit) in totals.items()}
    return by_book, total


def _claims(context: _Context, codes: Iterable[str]) -> Mapping[str, tuple[int, int, int, int]]:
    """The claims of the pair list over the pooled chart and any other code read: the pair table's own when the
    rules are the active ones it was built with (``ledger.pair_table``), so that a whole year reads from it."""
    extra = frozenset(codes).difference(chart_by_code())
    return chart_claims(context.rules, extra)


@functools.lru_cache(maxsize=8)
def chart_claims(
    rules: tuple[eliminate.PairRule, ...], extra: frozenset[str] = frozenset()
) -> Mapping[str, tuple[int, int, int, int]]:
    """``eliminate.database_claims`` of every account of the pooled chart (and the ``extra`` codes)."""
    return MappingProxyType(eliminate.database_claims(rules, sorted(chart_by_code().keys() | extra)))


def _combine(context: _Context, start: date | None, end: date, *, per_book: bool, listed: bool = True) -> Combination:
    """The combination of [start, end]: the sums of the books, and the pairs summed in the database; the next month
    is read only if some pair differs (the likely cause of each difference then tells a timing difference apart).

    ``listed``: every eliminated pair listed one by one (the page's list, the XLSX); else they are counted and taken
    out per account in the database, and only the differences and the flows outside the set come back."""
    by_book, total = _sums(context, start, end, per_book=per_book)
    claims = _claims(context, total)
    cancelled, cancelled_by_account = 0, {}
    if listed:
        pairs = partner_pair_sums(book_ids=context.book_ids, start=start, end=end, claims=claims, gie=context.gie)
    else:
        report = partner_pair_uncancelled(
            book_ids=context.book_ids, start=start, end=end, claims=claims, gie=context.gie
        )
        pairs, cancelled, cancelled_by_account = report.pairs, report.cancelled, report.cancelled_by_account

    def eliminated(later: list[eliminate.PairSums] | None) -> eliminate.Eliminated:
        return eliminate.eliminate_pairs(
            pairs=pairs, chosen=context.chosen, gie=context.gie, rules=context.rules, books=context.chosen,
            unpartnered=_unpartnered(context, start, end), later=later, cancelled=cancelled,
            cancelled_by_account=cancelled_by_account,
        )  # fmt: skip

    result = eliminated(None)
    if result.differences:
        # the next month's pairs that do not cancel: a cancelled pair's sum (0) is what a missing one reads as
        later_start, later_end = _later_range(end)
        later_codes = account_totals(book_ids=context.book_ids, start=later_start, end=later_end)
        later = partner_pair_uncancelled(
            book_ids=context.book_ids, start=later_start, end=later_end, gie=context.gie,
            claims=_claims(context, later_codes),
        )  # fmt: skip
        result = eliminated(later.pairs)
    combined = {code: amount + result.eliminations.get(code, 0) for code, amount in total.items()}
    return Combination(
        by_book, total, result.eliminations, combined, result.eliminated, result.differences, result.outside,
        result.unlisted,
    )  # fmt: skip


def _parties(context: _Context, extra: Iterable[int]) -> dict[int, Party]:
    parties = {book.organization_id: _party(book.organization, book.pk) for book in context.books}
    missing = set(extra) - set(parties)
    if missing:
        for organization in Organization.objects.filter(pk__in=missing):
            parties[organization.pk] = _party(organization)
    for organization_id in missing - set(parties):  # a partner id with no organization (should not happen)
        parties[organization_id] = Party(organization_id, str(organization_id), str(organization_id), "", is_gie=False)
    return parties


def _eliminated_line(
    e: eliminate.Elimination, by_key: Mapping[str, eliminate.PairRule], parties: Mapping[int, Party]
) -> PairLine:
    rule = by_key[e.rule_key]
    return PairLine(
        e.rule_key, rule.label_fr, rule.label_ar, parties[e.left_book], parties[e.right_book], e.amount, -e.amount,
        e.left_accounts, e.right_accounts,
    )  # fmt: skip


def _pair_lines(
    combination: Combination, by_key: Mapping[str, eliminate.PairRule], parties: Mapping[int, Party]
) -> tuple[tuple[PairLine, ...], tuple[OutsideLine, ...]]:
    """The differences and the flows outside the set, ready to show (the eliminated pairs: on demand)."""
    differences = tuple(
        PairLine(
            d.rule_key, by_key[d.rule_key].label_fr, by_key[d.rule_key].label_ar,
            parties[d.left_book], parties[d.right_book], d.left, d.right, d.left_accounts, d.right_accounts, d.cause,
        )
        for d in combination.differences
    )  # fmt: skip
    outside = tuple(
        OutsideLine(
            o.rule_key, by_key[o.rule_key].label_fr, by_key[o.rule_key].label_ar,
            parties[o.book], parties[o.partner], o.amount, o.accounts,
        )
        for o in combination.outside
    )  # fmt: skip
    return differences, outside


def _partners(combination: Combination) -> set[int]:
    return {o.partner for o in combination.outside}


def _check_range(start: date, end: date) -> None:
    if start > end:
        raise DomainError(ErrorCode.COMBINE_BAD_RANGE, start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}")


def _trial_balance(
    context: _Context, start: date, end: date, *, per_book: bool, listed: bool = True
) -> CombinedTrialBalance:
    combination = _combine(context, start, end, per_book=per_book, listed=listed)
    parties = _parties(context, _partners(combination))
    columns = tuple(parties[organization_id] for organization_id in context.chosen)
    names = chart_by_code()
    by_book = combination.by_book
    rows = []
    for code in sorted(combination.total):
        amounts = (
            tuple(by_book.get((organization_id, code), 0) for organization_id in context.chosen) if per_book else ()
        )
        total, removed = combination.total[code], combination.eliminations.get(code, 0)
        if not (total or removed or any(amounts)):
            continue  # movements that net to nothing in every book
        account = names.get(code)
        rows.append(
            AccountRow(
                code,
                account.name_fr if account else code,
                account.name_ar if account else code,
                amounts,
                total,
                removed,
                combination.combined[code],
            )
        )
    by_key = {rule.key: rule for rule in context.rules}
    differences, outside = _pair_lines(combination, by_key, parties)
    return CombinedTrialBalance(start, end, columns, tuple(rows), differences, outside, combination, parties, by_key)


def combined_trial_balance(
    *,
    books: Sequence[Book],
    start: date,
    end: date,
    rules: Sequence[eliminate.PairRule] | None = None,
    per_book: bool = True,
    listed: bool = True,
) -> CombinedTrialBalance:
    """The combined trial balance of the books over [start, end]: summed, eliminated, combined, and per book unless
    ``per_book`` is False (the rows' ``by_book`` are then empty: a region's 1,631 columns cost a pass of their own);
    the eliminated pairs listed one by one unless ``listed`` is False (then counted and taken out in the database:
    ``eliminated_count`` holds, ``eliminated_lines`` is empty)."""
    _check_range(start, end)
    context = _context(books, rules)
    return _trial_balance(context, start, end, per_book=per_book, listed=listed)


def combined_accounts(
    *,
    books: Sequence[Book],
    start: date,
    end: date,
    rules: Sequence[eliminate.PairRule] | None = None,
    per_book: bool = True,
) -> CombinedAccounts:
    """The combined trial balance and CPC of [start, end] and the combined Bilan at ``end``.

    The Bilan reads the balances since the first entry, as the ledger's own Bilan does (``ledger.views.reports``);
    when nothing was posted before ``start`` they are the period's and the period's combination is reused.
    """
    _check_range(start, end)
    context = _context(books, rules)
    trial_balance = _trial_balance(context, start, end, per_book=per_book)
    before = account_totals(book_ids=context.book_ids, start=None, end=start - timedelta(days=1))
    bilan_differences: tuple[PairLine, ...] = ()
    if any(debit or credit for debit, credit in before.values()):
        # the balances at the end date, read as one range (as the ledger's Bilan reads them)
        combination = _combine(context, None, end, per_book=False, listed=False)
        parties = _parties(context, _partners(combination))
        bilan_differences = _pair_lines(combination, {rule.key: rule for rule in context.rules}, parties)[0]
        bilan = build_bilan(combination.combined)
    else:
        bilan = build_bilan(trial_balance.combination.combined)
    return CombinedAccounts(
        trial_balance=trial_balance,
        bilan=bilan,
        cpc=build_cpc(trial_balance.combination.combined),
        bilan_differences=bilan_differences,
    )
