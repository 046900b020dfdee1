"""``partner_pair_sums``: the amounts with a partner paired in the database, figures worked out by hand on the
March of ``conftest.march`` (centimes, debit − credit).

Cooperative A: 3488·GIE 6,000.00 − 720.00 − 5,280.00 = 0 (a5, a6, a8), 6136·GIE 720.00 (a6).
The GIE:       4463·A −6,000.00 + 720.00 + 5,280.00 = 0 (g2, g3, g4), 71272·A −600.00 (g3).
Up to the 15th: A 3488·GIE 6,000.00 − 720.00 = 5,280.00; the GIE 4463·A −6,000.00 + 720.00 = −5,280.00.

The claims of these tests: group 0 is the GIE's 4463 (left) against a member's 3488 (right), group 1 the GIE's 71272
against a member's 6136. A case is 2 × (the book is the GIE's) + (the partner is the GIE).
"""

from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from ledger.pairs import PairClaims, PairReport, partner_pair_sums, partner_pair_uncancelled
from ledger.selectors import movement_centimes

pytestmark = pytest.mark.django_db

NONE = -1
CLAIMS: PairClaims = {
    "4463": (NONE, NONE, 0, NONE),  # a GIE amount with a member partner: group 0, left
    "3488": (NONE, 1, NONE, NONE),  # a member amount with the GIE as partner: group 0, right
    "71272": (NONE, NONE, 2, NONE),  # group 1, left
    "6136": (NONE, 3, NONE, NONE),  # group 1, right
}


def pairs(march: dict[str, Any], start: date | None, end: date, **kw: Any) -> list[Any]:
    return partner_pair_sums(
        book_ids=kw.get("book_ids"), start=start, end=end, claims=kw.get("claims", CLAIMS),
        gie=march["gie"].organization_id,
    )  # fmt: skip


def test_the_month_paired_by_hand(march: dict[str, Any]) -> None:
    gie, a = march["gie"].organization_id, march["a"].organization_id
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 31)) == [
        (0, gie, a, 0, 0, (("4463", 0),), (("3488", 0),)),
        (1, gie, a, -60000, 72000, (("71272", -60000),), (("6136", 72000),)),
    ]
    # a partial month is summed from the lines of its days
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 15)) == [
        (0, gie, a, -528000, 528000, (("4463", -528000),), (("3488", 528000),)),
        (1, gie, a, -60000, 72000, (("71272", -60000),), (("6136", 72000),)),
    ]
    assert pairs(march, date(2026, 4, 1), date(2026, 4, 30)) == []


def test_a_side_of_several_accounts_lists_each(march: dict[str, Any]) -> None:
    gie, a = march["gie"].organization_id, march["a"].organization_id
    one_group = {"4463": (NONE, NONE, 0, NONE), "71272": (NONE, NONE, 0, NONE), "3488": (NONE, 1, NONE, NONE),
                 "6136": (NONE, 1, NONE, NONE)}  # fmt: skip
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 15), claims=one_group) == [
        (0, gie, a, -588000, 600000, (("4463", -528000), ("71272", -60000)), (("3488", 528000), ("6136", 72000))),
    ]


def test_only_the_given_books_are_read(march: dict[str, Any]) -> None:
    """Cooperative A alone: the GIE's sides are not read (0 and no account), A's are."""
    gie, a = march["gie"].organization_id, march["a"].organization_id
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 15), book_ids=[march["a"].pk]) == [
        (0, gie, a, 0, 528000, (), (("3488", 528000),)),
        (1, gie, a, 0, 72000, (), (("6136", 72000),)),
    ]
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 15), book_ids=[]) == []


def uncancelled(march: dict[str, Any], start: date | None, end: date, **kw: Any) -> PairReport:
    return partner_pair_uncancelled(
        book_ids=kw.get("book_ids"), start=start, end=end, claims=kw.get("claims", CLAIMS),
        gie=march["gie"].organization_id,
    )  # fmt: skip


def test_the_pairs_that_cancel_stay_in_the_database_counted_and_summed_per_account(march: dict[str, Any]) -> None:
    """Up to the 15th, group 0 cancels (−5,280.00 + 5,280.00, not zero): counted, its amounts summed per account;
    group 1 does not (−600.00 + 720.00 = 120.00): listed as ``partner_pair_sums`` lists it. Over the month, group
    0's sides are both 0.00 on one account each: it holds nothing, neither listed nor counted."""
    gie, a = march["gie"].organization_id, march["a"].organization_id
    group_1 = (1, gie, a, -60000, 72000, (("71272", -60000),), (("6136", 72000),))
    assert uncancelled(march, date(2026, 3, 1), date(2026, 3, 15)) == PairReport(
        [group_1], 1, {"4463": -528000, "3488": 528000}
    )
    assert uncancelled(march, date(2026, 3, 1), date(2026, 3, 31)) == PairReport([group_1], 0, {})
    # a side of several accounts that does not cancel: listed with each account (read for that pair only)
    one_group = {"4463": (NONE, NONE, 0, NONE), "71272": (NONE, NONE, 0, NONE), "3488": (NONE, 1, NONE, NONE),
                 "6136": (NONE, 1, NONE, NONE)}  # fmt: skip
    assert uncancelled(march, date(2026, 3, 1), date(2026, 3, 15), claims=one_group) == PairReport(
        [(0, gie, a, -588000, 600000, (("4463", -528000), ("71272", -60000)), (("3488", 528000), ("6136", 72000)))],
        0,
        {},
    )
    # cooperative A alone: the GIE's sides are not read, nothing cancels
    assert uncancelled(march, date(2026, 3, 1), date(2026, 3, 15), book_ids=[march["a"].pk]) == PairReport(
        [(0, gie, a, 0, 528000, (), (("3488", 528000),)), (1, gie, a, 0, 72000, (), (("6136", 72000),))], 0, {}
    )
    assert uncancelled(march, date(2026, 3, 1), date(2026, 3, 15), claims={"4463": (NONE,) * 4}) == PairReport(
        [], 0, {}
    )


def test_no_claim_no_pair(march: dict[str, Any]) -> None:
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 31), claims={"4463": (NONE,) * 4}) == []
    # the cases count: a GIE amount claimed only when its partner is the GIE (none is) is left out
    assert pairs(march, date(2026, 3, 1), date(2026, 3, 31), claims={"4463": (NONE, NONE, NONE, 0)}) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 12, 31)),  # a calendar year: the yearly fold
        (date(2026, 1, 1), date(2026, 3, 20)),  # whole months, then the lines of 1 to 20 March
        (date(2026, 2, 15), date(2026, 3, 31)),  # the lines of late February, then March
        (None, date(2026, 3, 31)),  # since the first entry
    ],
)
def test_every_range_agrees_with_movement_centimes(march: dict[str, Any], start: date | None, end: date) -> None:
    """The same sources as ``movement_centimes``: the pairs' sides are its amounts with a partner, claimed."""
    gie = march["gie"]
    organization_of = {march["a"].pk: march["a"].organization_id, gie.pk: gie.organization_id}
    expected: defaultdict[tuple[int, int, int], list[Any]] = defaultdict(lambda: [0, 0, [], []])
    raw = movement_centimes(book_ids=None, start=start, end=end, by_partner=True)
    for (book_id, code, partner), (debit, credit) in sorted(raw.items()):
        book = organization_of[book_id]
        claim = CLAIMS.get(code, (NONE,) * 4)[2 * (book == gie.organization_id) + (partner == gie.organization_id)]
        if not partner or claim < 0:
            continue
        group, side = divmod(claim, 2)
        cell = expected[(group, book, partner) if side == 0 else (group, partner, book)]
        cell[side] += debit - credit
        cell[2 + side].append((code, debit - credit))
    assert pairs(march, start, end) == [
        (*key, left, right, tuple(left_accounts), tuple(right_accounts))
        for key, (left, right, left_accounts, right_accounts) in sorted(expected.items())
    ]
