"""The pair table (``ledger.pair_table``): kept by every posting under the stored claims, rebuilt when they change,
checked by ``ledger_verify``; a calendar year's ``partner_pair_uncancelled`` read from it equals the pairing of the
balance rows. Figures by hand on ``conftest.march`` (centimes, debit − credit), with the claims of
``test_partner_pairs``: group 0 the GIE's 4463 (left) against a member's 3488 (right), group 1 the GIE's 71272
against a member's 6136.

March: group 0 — the GIE's 4463·A −6,000.00 + 720.00 + 5,280.00 = 0, A's 3488·GIE 6,000.00 − 720.00 − 5,280.00 = 0;
group 1 — the GIE's 71272·A −600.00, A's 6136·GIE +720.00.
"""

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger import pair_table, pairs
from ledger.models import Journal, PairClaim, PairYear
from ledger.pairs import PairReport, partner_pair_uncancelled
from ledger.posting import EntryDraft
from ledger.services import journal_entries_post, pair_claims_set
from tests.ledger.conftest import TODAY, cr, dr, post
from tests.ledger.test_partner_pairs import CLAIMS, NONE

pytestmark = pytest.mark.django_db
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


def table() -> list[tuple[int, int, int, int, int, int]]:
    return list(
        PairYear.objects.order_by("year", "pair_group", "left_organization_id", "right_organization_id")
        .exclude(left_sum=0, right_sum=0)
        .values_list("year", "pair_group", "left_organization_id", "right_organization_id", "left_sum", "right_sum")
    )


def report(march: dict[str, Any], *, book_ids: list[int] | None = None, slow: bool = False, **kw: Any) -> PairReport:
    start, end = kw.get("span", YEAR_2026)
    if slow:  # the balance rows paired as before, whatever the table holds
        original = pairs._table_year
        pairs._table_year = lambda *args: None
        try:
            return report(march, book_ids=book_ids, **kw)
        finally:
            pairs._table_year = original
    return partner_pair_uncancelled(
        book_ids=book_ids, start=start, end=end, claims=CLAIMS, gie=march["gie"].organization_id
    )


def test_the_table_is_built_from_the_balances_under_the_claims_and_read_for_a_year(
    march: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    gie, a = march["gie"].organization_id, march["a"].organization_id
    assert pair_claims_set(claims=CLAIMS) is True
    assert {claim.account_code: claim.cases for claim in PairClaim.objects.all()} == CLAIMS
    assert pair_claims_set(claims=CLAIMS) is False  # the same claims: nothing to rebuild
    assert table() == [(2026, 1, gie, a, -60000, 72000)]  # group 0 sums 0 on both sides

    templates: list[str] = []
    run = pairs._PairQuery.run

    def recorded(self: Any, template: str, **kw: Any) -> Any:
        templates.append(template)
        return run(self, template, **kw)

    monkeypatch.setattr(pairs._PairQuery, "run", recorded)
    group_1 = (1, gie, a, -60000, 72000, (("71272", -60000),), (("6136", 72000),))
    assert report(march) == PairReport([group_1], 0, {})
    assert pairs.PAIR_UNCANCELLED_SQL not in templates  # read from the table, the listed pair's books paired alone
    assert report(march) == report(march, slow=True)
    # A alone: the GIE's sides are outside the set; group 0's A side sums 0 on one account: left out
    only_a = report(march, book_ids=[march["a"].pk])
    assert only_a == PairReport([(1, gie, a, 0, 72000, (), (("6136", 72000),))], 0, {})
    assert only_a == report(march, book_ids=[march["a"].pk], slow=True)
    # not a calendar year, or other claims: the balance rows are paired
    templates.clear()
    assert report(march, span=(date(2026, 3, 1), date(2026, 3, 31))) == PairReport([group_1], 0, {})
    assert pairs.PAIR_UNCANCELLED_SQL in templates
    templates.clear()
    other = {**CLAIMS, "4455": (NONE, NONE, 4, NONE)}
    partner_pair_uncancelled(book_ids=None, start=YEAR_2026[0], end=YEAR_2026[1], claims=other, gie=gie)
    assert pairs.PAIR_UNCANCELLED_SQL in templates


def test_every_posting_adds_to_the_table_and_a_pair_that_cancels_is_counted(march: dict[str, Any]) -> None:
    """A credits 6136·GIE 120.00 (a batch of two entries, one without partner): group 1 is −600.00 + 600.00, it
    cancels and is counted, its amounts taken out of 71272 and 6136; the rebuild finds the same table."""
    gie, a, coop_a = march["gie"].organization_id, march["a"].organization_id, march["a"].organization
    pair_claims_set(claims=CLAIMS)
    drafts = [
        EntryDraft(book_id=march["a"].pk, posted_on=date(2026, 4, 2), journal=Journal.MISC,
                   lines=(dr("5141", "120.00"), cr("6136", "120.00", march["gie"].organization)),
                   description="refund", source_ref="R1", idempotency_key="refund"),
        EntryDraft(book_id=march["gie"].pk, posted_on=date(2026, 4, 2), journal=Journal.MISC,
                   lines=(dr("6147", "10.00"), cr("5141", "10.00")), description="fees", source_ref="R2",
                   idempotency_key="bank-fees"),
    ]  # fmt: skip
    journal_entries_post(drafts=drafts, today=TODAY)
    assert table() == [(2026, 1, gie, a, -60000, 60000)]
    journal_entries_post(drafts=drafts, today=TODAY)  # a replay adds nothing
    assert table() == [(2026, 1, gie, a, -60000, 60000)]
    assert report(march) == PairReport([], 1, {"71272": -60000, "6136": 60000}) == report(march, slow=True)
    # the GIE's 4463·A makes group 0 differ by 50.00 (A has nothing to match it)
    post(march["gie"], date(2026, 5, 4), "g6", dr("4463", "50.00", coop_a), cr("5141", "50.00"))
    assert table() == [(2026, 0, gie, a, 5000, 0), (2026, 1, gie, a, -60000, 60000)]
    group_0 = (0, gie, a, 5000, 0, (("4463", 5000),), (("3488", 0),))
    assert report(march) == PairReport([group_0], 1, {"71272": -60000, "6136": 60000}) == report(march, slow=True)
    before = table()
    pair_table.rebuild()
    assert table() == before
    assert pair_table.differences() == []


def test_other_claims_rebuild_the_table(march: dict[str, Any]) -> None:
    """One group for both pairs: the GIE's 4463 and 71272 on the left, A's 3488 and 6136 on the right."""
    gie, a = march["gie"].organization_id, march["a"].organization_id
    pair_claims_set(claims=CLAIMS)
    one_group = {"4463": (NONE, NONE, 0, NONE), "71272": (NONE, NONE, 0, NONE), "3488": (NONE, 1, NONE, NONE),
                 "6136": (NONE, 1, NONE, NONE)}  # fmt: skip
    assert pair_claims_set(claims=one_group) is True
    assert table() == [(2026, 0, gie, a, -60000, 72000)]


def test_ledger_verify_names_a_wrong_cell_of_the_table(march: dict[str, Any]) -> None:
    pair_claims_set(claims=CLAIMS)
    call_command("ledger_verify")
    PairYear.objects.filter(pair_group=1).update(left_sum=-59999)
    PairYear.objects.create(year=2025, pair_group=0, left_organization_id=1, right_organization_id=2, right_sum=1)
    assert pair_table.differences() == [
        "pair year 2025 group 0 1↔2: table (0, 1) ≠ balances (0, 0) (centimes)",
        f"pair year 2026 group 1 {march['gie'].organization_id}↔{march['a'].organization_id}: table (-59999, 72000) "
        "≠ balances (-60000, 72000) (centimes)",
    ]
    with pytest.raises(CommandError, match="2 differences in the pair table"):
        call_command("ledger_verify")


@pytest.mark.django_db(transaction=True)
def test_a_single_posting_outside_any_transaction_adds_to_the_table(book_a: Any, book_gie: Any, coop_a: Any) -> None:
    """On PostgreSQL one entry alone is one statement, its own transaction: the table's upserts are part of it."""
    pair_claims_set(claims=CLAIMS)
    post(book_gie, date(2026, 6, 1), "g1", dr("5141", "300.00"), cr("71272", "300.00", coop_a))
    post(book_a, date(2026, 6, 1), "a1", dr("6136", "300.00", book_gie.organization), cr("5141", "300.00"))
    gie, a = book_gie.organization_id, book_a.organization_id
    assert table() == [(2026, 1, gie, a, -30000, 30000)]
    assert pair_table.differences() == []
