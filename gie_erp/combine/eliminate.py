"""The maths of the combined accounts, with no database: sum the chosen books' balances on the pooled chart, then
take out the reciprocal flows between books of the group, matched by partner, from a list of account pairs that is
data (DESIGN §7, issue 15 point 3).

Amounts are signed integer centimes, debit − credit. A balance is keyed by (book, account, partner or 0), books and
partners being organization ids. A *match instance* is (rule, book A on the left, book B on the right): its left side
sums A's left-side amounts with partner B, its right side B's right-side amounts with partner A. An instance whose two
sides cancel exactly is eliminated; any other is listed as a difference with a likely cause, never plugged; an
instance whose other book is not in the chosen set is listed as outside the set.

Which rule an amount belongs to: each (book, account, partner ≠ 0) amount belongs to at most one (rule, side), so it
can never be eliminated twice. The candidates are the sides whose flags fit (the amount's book on the side's own
flag, its partner on the other side's flag) and one of whose prefixes starts the account; the LONGEST matching
prefix wins, and a tie goes to the rule placed first (left before right within a rule). Longest-first rather than
plain first-in-order because prefixes nest: the bench's "7127" also starts 71272 (the fair commission), which must
stay with the GIE-revenue rule that lists "71272" and is matched against the member's 6136.
"""

import gc
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

Key = tuple[int, str, int]  # (book, account code, partner or 0)
Instance = tuple[int, int, int]  # (rule index, left book, right book)
Accounts = tuple[tuple[str, int], ...]  # (account, amount) of one side, by account
NO_PARTNER = 0
LEFT, RIGHT = 0, 1


@dataclass(frozen=True, slots=True)
class PairRule:
    """One pair of account groups whose flows between two books of the group cancel out in the combined accounts."""

    key: str
    label_fr: str
    label_ar: str
    left: tuple[str, ...]  # account-code prefixes on one side
    right: tuple[str, ...]  # on the other side
    left_is_gie: bool | None  # True: the GIE's book; False: a member's; None: any book
    right_is_gie: bool | None


class Cause(StrEnum):
    """The likely cause of a difference, the first that fits in this order: timing, no_partner, one_side, amount."""

    TIMING = "timing"  # the next period completes the pair: the other side is booked later
    NO_PARTNER = "no_partner"  # one side is missing and its book has lines without partner on that side's accounts
    ONE_SIDE = "one_side"  # one side is missing: a document posted on one side only
    AMOUNT = "amount"  # both sides posted, for different amounts


CAUSE_LABELS: Mapping[Cause, tuple[str, str]] = {  # (French, Arabic), shown next to a difference
    Cause.TIMING: (
        "Décalage de période : l'autre côté est comptabilisé plus tard",
        "فارق زمني: الطرف الآخر مسجل لاحقا",
    ),
    Cause.NO_PARTNER: ("Ligne sans partenaire chez l'autre livre", "سطر بدون شريك في الدفتر الآخر"),
    Cause.ONE_SIDE: ("Pièce comptabilisée d'un seul côté", "وثيقة مسجلة في طرف واحد فقط"),
    Cause.AMOUNT: ("Montants différents des deux côtés", "مبالغ مختلفة في الطرفين"),
}


@dataclass(frozen=True, slots=True)
class Elimination:
    rule_key: str
    left_book: int
    right_book: int
    amount: int  # the left side's sum; the right side's is its opposite
    # what each side holds, account by account (shown next to the pair; not part of its identity)
    left_accounts: Accounts = field(default=(), compare=False)
    right_accounts: Accounts = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Difference:
    rule_key: str
    left_book: int
    right_book: int
    left: int
    right: int
    difference: int  # left + right
    cause: Cause
    left_accounts: Accounts = field(default=(), compare=False)
    right_accounts: Accounts = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Outside:
    """A flow of a chosen book whose partner is not in the set: kept in the combined figures, not a difference."""

    rule_key: str
    book: int
    partner: int
    amount: int
    accounts: Accounts = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Eliminated:
    """What the pairs give, from the amounts with a partner alone."""

    eliminations: dict[str, int]  # account -> what the eliminations take out (sums to 0)
    eliminated: list[Elimination]
    differences: list[Difference]
    outside: list[Outside]
    unlisted: int = 0  # pairs eliminated in the database, counted and in ``eliminations``, not in ``eliminated``


@dataclass(frozen=True, slots=True)
class Combination:
    by_book: dict[tuple[int, str], int]  # (book, account) -> centimes, partners summed
    total: dict[str, int]  # account -> sum of the chosen books
    eliminations: dict[str, int]  # account -> what the eliminations take out (sums to 0)
    combined: dict[str, int]  # account -> total + eliminations
    eliminated: list[Elimination]
    differences: list[Difference]
    outside: list[Outside]
    eliminated_unlisted: int = 0  # eliminated pairs counted (and taken out) but not listed in ``eliminated``

    @property
    def eliminated_count(self) -> int:
        return len(self.eliminated) + self.eliminated_unlisted


class _Claims:
    """Which (rule, side) an amount belongs to, cached per (account, book is GIE, partner is GIE): O(1) per row."""

    def __init__(self, rules: Sequence[PairRule], gie: int) -> None:
        self.rules, self.gie = rules, gie
        self._claim: dict[tuple[str, bool, bool], tuple[int, int] | None] = {}
        self._sides: dict[tuple[str, bool], tuple[tuple[int, int], ...]] = {}

    def _candidates(self, account: str, *, book_is_gie: bool) -> Iterable[tuple[int, int, int, bool | None]]:
        """(prefix length, rule index, side, the other side's flag) of every side the account and book fit."""
        for index, rule in enumerate(self.rules):
            for side, prefixes, own, other in (
                (LEFT, rule.left, rule.left_is_gie, rule.right_is_gie),
                (RIGHT, rule.right, rule.right_is_gie, rule.left_is_gie),
            ):
                if own is not None and own != book_is_gie:
                    continue
                length = max((len(p) for p in prefixes if account.startswith(p)), default=0)
                if length:
                    yield length, index, side, other

    def claim(self, account: str, book: int, partner: int) -> tuple[int, int] | None:
        """The (rule index, side) of an amount with a partner, or None when no rule takes it."""
        cache_key = (account, book == self.gie, partner == self.gie)
        if cache_key not in self._claim:
            fits = [
                (-length, index, side)
                for length, index, side, other in self._candidates(account, book_is_gie=cache_key[1])
                if other is None or other == cache_key[2]
            ]
            self._claim[cache_key] = min(fits)[1:] if fits else None  # longest prefix, then rule order, then left
        return self._claim[cache_key]

    def sides(self, account: str, book: int) -> tuple[tuple[int, int], ...]:
        """Every (rule index, side) an amount WITHOUT partner would fit if it had one: for the no_partner cause."""
        cache_key = (account, book == self.gie)
        if cache_key not in self._sides:
            self._sides[cache_key] = tuple(
                (index, side) for _, index, side, _ in self._candidates(account, book_is_gie=cache_key[1])
            )
        return self._sides[cache_key]


#: an instance's flows: [left sum, right sum, left (account, amount) list, right list]
Flows = list[Any]


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block that allocates many small acyclic objects (tuples and lists
    of amounts): with a region's rows in memory, its collections cost 40 % of the pairing (measured). Reference
    counting still frees everything; the collector's previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sides_by_instance(rows: Iterable[tuple[Key, int]], claims: _Claims) -> dict[Instance, Flows]:
    """Per instance, each side's sum and (account, amount) list, of the given amounts with a partner (the hot loop:
    a region has 140,000 of them): the claims are looked up per account in a table of the four (book is the GIE,
    partner is the GIE) cases, so a row allocates nothing but its instance."""
    flows: dict[Instance, Flows] = {}
    flows_get, gie = flows.get, claims.gie
    table: dict[str, list[tuple[int, int] | None]] = {}
    other = gie - 1 if gie else -1  # any book but the GIE's
    cases_of = ((other, other), (other, gie), (gie, other), (gie, gie))  # index: (book is GIE) * 2 + (partner is)
    for (book, account, partner), amount in rows:
        cases = table.get(account)
        if cases is None:
            cases = table[account] = [claims.claim(account, book_, partner_) for book_, partner_ in cases_of]
        claim = cases[(book == gie) * 2 + (partner == gie)]
        if claim is None:
            continue
        index, side = claim
        instance = (index, book, partner) if side == LEFT else (index, partner, book)
        cell = flows_get(instance)
        if cell is None:
            cell = flows[instance] = [0, 0, [], []]
        cell[side] += amount
        cell[2 + side].append((account, amount))
    return flows


def _partnered(balances: Mapping[Key, int], chosen: frozenset[int]) -> list[tuple[Key, int]]:
    return [(key, amount) for key, amount in balances.items() if key[2] != NO_PARTNER and key[0] in chosen]


def _accounts(flows: list[tuple[str, int]]) -> Accounts:
    """One side's (account, amount) pairs by account (a side holds each account once: one book, one partner)."""
    return tuple(flows) if len(flows) < 2 else tuple(sorted(flows))


def unpartnered_accounts(balances: Mapping[Key, int]) -> Callable[[set[int]], Mapping[int, list[str]]]:
    """For these books, the accounts holding an amount without partner (read only for a one-sided difference)."""

    def read(books: set[int]) -> Mapping[int, list[str]]:
        found: defaultdict[int, list[str]] = defaultdict(list)
        for (book, account, partner), amount in balances.items():
            if partner == NO_PARTNER and amount and book in books:
                found[book].append(account)
        return found

    return read


def _missing_side(instance: Instance, left: int, right: int) -> tuple[int, int] | None:
    """(book, side) of the side that posted nothing, or None when both posted."""
    if left != 0 and right != 0:
        return None
    _, left_book, right_book = instance
    return (right_book, RIGHT) if right == 0 else (left_book, LEFT)


def _cause(
    instance: Instance,
    left: int,
    right: int,
    later_sum: int | None,
    unpartnered: Mapping[int, list[str]],
    claims: _Claims,
) -> Cause:
    if later_sum is not None and left + right + later_sum == 0:
        return Cause.TIMING
    missing = _missing_side(instance, left, right)
    if missing is not None:
        book, side = missing
        fits = any((instance[0], side) in claims.sides(account, book) for account in unpartnered.get(book, ()))
        return Cause.NO_PARTNER if fits else Cause.ONE_SIDE
    return Cause.AMOUNT


def _sums(
    balances: Mapping[Key, int], partnered: Iterable[tuple[Key, int]], chosen: frozenset[int]
) -> tuple[dict[tuple[int, str], int], dict[str, int]]:
    """The chosen books' amounts by (book, account) and by account, partners summed: the hot loops over every
    amount, written as comprehensions (an amount without partner is the only one of its book and account)."""
    by_book = {
        (book, account): amount
        for (book, account, partner), amount in balances.items()
        if partner == NO_PARTNER and book in chosen
    }
    get = by_book.get
    for (book, account, _partner), amount in partnered:
        by_book[(book, account)] = get((book, account), 0) + amount
    total: dict[str, int] = {}
    total_get = total.get
    for (_book, account), amount in by_book.items():
        total[account] = total_get(account, 0) + amount
    return by_book, total


def eliminate_flows(
    *,
    partnered: Iterable[tuple[Key, int]],
    chosen: Collection[int],
    gie: int,
    rules: Sequence[PairRule],
    books: Collection[int],
    unpartnered: Callable[[set[int]], Mapping[int, list[str]]],
    later: Iterable[tuple[Key, int]] | None = None,
) -> Eliminated:
    """The pairs of the chosen books' amounts WITH a partner (every other amount is kept as it is): each instance
    whose two sides cancel exactly is eliminated, any other is a difference with its likely cause, and a side whose
    other book is not among the chosen ``books`` (the books the data was read for) is outside the set.

    ``unpartnered`` gives, for some books, their accounts with amounts without partner (the no_partner cause);
    ``later`` the next period's amounts with a partner (the timing cause). Σ eliminations == 0 always.
    """
    with gc_paused():
        return _eliminate_flows(partnered, chosen, gie, rules, books, unpartnered, later)


def _eliminate_flows(
    partnered: Iterable[tuple[Key, int]],
    chosen: Collection[int],
    gie: int,
    rules: Sequence[PairRule],
    books: Collection[int],
    unpartnered: Callable[[set[int]], Mapping[int, list[str]]],
    later: Iterable[tuple[Key, int]] | None,
) -> Eliminated:
    chosen_books = frozenset(chosen)
    present = chosen_books & frozenset(books)
    claims = _Claims(rules, gie)
    later_sums: dict[Instance, int] | None = None
    if later is not None:
        later_rows = [(key, amount) for key, amount in later if key[0] in chosen_books]
        later_sums = {instance: cell[0] + cell[1] for instance, cell in _sides_by_instance(later_rows, claims).items()}

    flows = _sides_by_instance(((key, amount) for key, amount in partnered if key[0] in chosen_books), claims)
    return _classify(flows, present, rules, claims, unpartnered, later_sums)


def _classify(
    flows: Mapping[Instance, Flows],
    present: frozenset[int],
    rules: Sequence[PairRule],
    claims: _Claims,
    unpartnered: Callable[[set[int]], Mapping[int, list[str]]],
    later_sums: Mapping[Instance, int] | None,
) -> Eliminated:
    """Each instance eliminated, a difference (with its likely cause) or outside the set: the one place that says
    which, whether the instances were summed here or in the database (``eliminate_pairs``)."""
    eliminations: defaultdict[str, int] = defaultdict(int)
    eliminated: list[Elimination] = []
    unmatched: list[tuple[Instance, int, int, list[tuple[str, int]], list[tuple[str, int]]]] = []
    outside: list[tuple[Instance, Outside]] = []  # sorted by (rule, book, partner) below
    keys = [rule.key for rule in rules]
    for instance in sorted(flows):
        index, left_book, right_book = instance
        key = keys[index]
        left, right, left_flows, right_flows = flows[instance]
        if left_book not in present or right_book not in present:
            # only the chosen book's side was read: the other book's amounts are not in the sums
            book, partner, amount = (
                (left_book, right_book, left) if left_book in present else (right_book, left_book, right)
            )
            if amount:
                flows_of_book = left_flows if left_book in present else right_flows
                outside.append(((index, book, partner), Outside(key, book, partner, amount, _accounts(flows_of_book))))
        elif left + right == 0:
            if left:
                eliminated.append(
                    Elimination(key, left_book, right_book, left, _accounts(left_flows), _accounts(right_flows))
                )
                for account, amount in left_flows:
                    eliminations[account] -= amount
                for account, amount in right_flows:
                    eliminations[account] -= amount
        else:
            unmatched.append((instance, left, right, left_flows, right_flows))

    one_sided = {side[0] for side in (_missing_side(i, left, right) for i, left, right, _, _ in unmatched) if side}
    without_partner = unpartnered(one_sided) if one_sided else {}
    differences = [
        Difference(
            rules[instance[0]].key, instance[1], instance[2], left, right, left + right,
            _cause(instance, left, right, later_sums.get(instance, 0) if later_sums is not None else None,
                   without_partner, claims),
            _accounts(left_flows), _accounts(right_flows),
        )
        for instance, left, right, left_flows, right_flows in unmatched
    ]  # fmt: skip
    outside.sort(key=lambda row: row[0])
    return Eliminated(dict(eliminations), eliminated, differences, [row[1] for row in outside])


#: a pair summed in the database (``ledger.pairs.partner_pair_sums``): (rule index, left book, right book, left
#: sum, right sum, the left side's (account, amount) by account, the right side's)
PairSums = tuple[int, int, int, int, int, Accounts, Accounts]


def database_claims(rules: Sequence[PairRule], codes: Iterable[str]) -> dict[str, tuple[int, int, int, int]]:
    """The claims as the database pairs with them: per account, for each case (index: 2 × the book is the GIE's +
    the partner is the GIE), ``2 × rule index + side`` or -1 when no rule takes it (the rules of ``_Claims``)."""
    gie, other = 1, 2
    claims = _Claims(rules, gie)
    table: dict[str, tuple[int, int, int, int]] = {}
    for code in codes:
        none_none, none_gie, gie_none, gie_gie = (
            -1 if claim is None else 2 * claim[0] + claim[1]
            for claim in (claims.claim(code, book, partner) for book in (other, gie) for partner in (other, gie))
        )
        cases = (none_none, none_gie, gie_none, gie_gie)
        if max(cases) >= 0:
            table[code] = cases
    return table


def _pair_flows(pairs: Iterable[PairSums]) -> dict[Instance, Flows]:
    return {(index, left, right): [ls, rs, list(la), list(ra)] for index, left, right, ls, rs, la, ra in pairs}


def eliminate_pairs(
    *,
    pairs: Iterable[PairSums],
    chosen: Collection[int],
    gie: int,
    rules: Sequence[PairRule],
    books: Collection[int],
    unpartnered: Callable[[set[int]], Mapping[int, list[str]]],
    later: Iterable[PairSums] | None = None,
    cancelled: int = 0,
    cancelled_by_account: Mapping[str, int] | None = None,
) -> Eliminated:
    """``eliminate_flows`` on instances already summed (by the database, from the chosen books' amounts with a
    partner and ``database_claims``): the same classification, causes and order.

    ``cancelled`` pairs whose sides cancel were left in the database (``ledger.pairs.partner_pair_uncancelled``)
    with their amounts summed per account, ``cancelled_by_account``: they are eliminated (taken out of those
    accounts) and counted, not listed."""
    with gc_paused():
        present = frozenset(chosen) & frozenset(books)
        later_sums = None if later is None else {(p[0], p[1], p[2]): p[3] + p[4] for p in later}
        result = _classify(_pair_flows(pairs), present, rules, _Claims(rules, gie), unpartnered, later_sums)
    if not cancelled:
        return result
    eliminations = dict(result.eliminations)
    for account, amount in (cancelled_by_account or {}).items():
        eliminations[account] = eliminations.get(account, 0) - amount
    return replace(result, eliminations=eliminations, unlisted=cancelled)


def combine(
    *,
    balances: Mapping[Key, int],
    chosen: Collection[int],
    gie: int,
    rules: Sequence[PairRule],
    later: Mapping[Key, int] | None = None,
    books: Collection[int] | None = None,
) -> Combination:
    """Sum the chosen books, eliminate every instance whose two sides cancel exactly; Σ eliminations == 0 always.

    ``books`` are the books the data was read for (None: every book with an amount in ``balances`` or ``later``): a
    chosen book among them with nothing posted still faces its partners, so what they posted towards it is a
    difference (one side), not "outside the set".
    """
    chosen_books = frozenset(chosen)
    known = frozenset(books or ())
    if not chosen_books <= known:  # a partner with no book in the data is outside the set, like an unchosen one
        known |= {book for book, _, _ in balances} | ({book for book, _, _ in later} if later is not None else set())
    partnered = _partnered(balances, chosen_books)
    by_book, total = _sums(balances, partnered, chosen_books)
    result = eliminate_flows(
        partnered=partnered,
        chosen=chosen_books,
        gie=gie,
        rules=rules,
        books=known,
        unpartnered=unpartnered_accounts(balances),
        later=None if later is None else [(key, amount) for key, amount in later.items() if key[2] != NO_PARTNER],
    )
    combined = {account: amount + result.eliminations.get(account, 0) for account, amount in total.items()}
    return Combination(
        by_book, total, result.eliminations, combined, result.eliminated, result.differences, result.outside
    )
