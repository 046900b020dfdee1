"""The pair list is data: seeded with the defaults, checked against the chart, read in order; and the sets of books."""

from typing import Any

import pytest

from gie_erp.combine.default_pairs import DEFAULT_RULES
from gie_erp.combine.eliminate import Cause, combine
from gie_erp.combine.models import PairRule
from gie_erp.combine.rules import check_rule, parse_prefixes
from gie_erp.combine.selectors import active_rules, book_set, chart_claims
from gie_erp.core.errors import DomainError, ErrorCode
from ledger.books import book_ensure
from ledger.chart import chart_by_code
from tests.factories.members import OrganizationFactory

CHART = ("3463", "4488", "6136", "61312", "7124", "71272")


def test_prefixes_are_read_with_spaces_or_commas_once_each() -> None:
    assert parse_prefixes(" 7124, 71272  7124,,61 ") == ("7124", "71272", "61")


@pytest.mark.parametrize(
    ("left", "right", "books", "reason"),
    [
        ((), ("4488",), ("gie", "member"), "chaque côté compte au moins un préfixe de compte."),
        (("34x",), ("4488",), ("gie", "member"), "« 34x » n'est pas un préfixe de compte (1 à 6 chiffres, classe 1"),
        (("0346",), ("4488",), ("gie", "member"), "« 0346 » n'est pas un préfixe de compte"),
        (("3463",), ("1234567",), ("gie", "member"), "« 1234567 » n'est pas un préfixe de compte"),
        (("3463",), ("٣٤٦٣",), ("gie", "member"), "« ٣٤٦٣ » n'est pas un préfixe de compte"),  # Arabic-Indic digits
        (("3463",), ("4489",), ("gie", "member"), "aucun compte du plan ne commence par « 4489 »."),
        (("3463",), ("4488",), ("gie", "gie"), "les deux côtés ne peuvent pas être le GIE : il n'a qu'un livre."),
        (("61",), ("61", "7124"), ("member", "any"), "« 61 » est des deux côtés pour les mêmes livres."),
        (("3463",), ("4488",), ("gie", "nobody"), "le livre de chaque côté est le GIE, un membre ou tout livre."),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_with_its_reason(
    left: tuple[str, ...], right: tuple[str, ...], books: tuple[str, str], reason: str
) -> None:
    with pytest.raises(DomainError) as raised:
        check_rule(left=left, right=right, left_book=books[0], right_book=books[1], chart_codes=CHART)
    assert raised.value.code == ErrorCode.COMBINE_BAD_RULE
    assert reason in raised.value.message("fr")
    assert raised.value.message("fr").startswith("Paire de comptes invalide : ")


def test_a_prefix_on_both_sides_is_fine_between_the_gie_and_a_member() -> None:
    rule = check_rule(left=("61",), right=("61",), left_book="gie", right_book="member", chart_codes=CHART)
    assert (rule.left, rule.right, rule.left_is_gie, rule.right_is_gie) == (("61",), ("61",), True, False)


def test_every_default_rule_fits_the_chart() -> None:
    for rule in DEFAULT_RULES:
        sides = {True: "gie", False: "member", None: "any"}
        check_rule(left=rule.left, right=rule.right, left_book=sides[rule.left_is_gie],
                   right_book=sides[rule.right_is_gie], chart_codes=chart_by_code())  # fmt: skip


@pytest.mark.django_db
def test_the_migration_seeded_the_defaults_in_order_and_inactive_rules_are_not_read() -> None:
    assert active_rules() == DEFAULT_RULES
    assert list(PairRule.objects.values_list("order", flat=True)) == list(range(10, 140, 10))
    PairRule.objects.filter(key="gie-revenue").update(active=False)
    assert [r.key for r in active_rules()] == [r.key for r in DEFAULT_RULES if r.key != "gie-revenue"]
    # placed first, a rule takes the accounts it ties on (eliminate's longest prefix, then order)
    PairRule.objects.filter(key="gie-revenue").update(active=True, order=1)
    assert active_rules()[0].key == "gie-revenue"


def test_a_chosen_book_with_nothing_posted_faces_its_partners() -> None:
    """The GIE billed book 11 (1,200.00) which posted nothing at all: with ``books`` naming 11 it is a one-sided
    difference; without, 11 is unknown to the data and the GIE's side is "outside the set"."""
    balances = {(1, "3463", 11): 120000, (1, "7124", 11): -100000, (1, "4455", 0): -20000}
    known = combine(balances=balances, chosen=[1, 11], gie=1, rules=DEFAULT_RULES, books=[1, 11])
    assert [(d.rule_key, d.difference, d.cause) for d in known.differences] == [
        ("gie-receivable", 120000, Cause.ONE_SIDE), ("gie-revenue", -100000, Cause.ONE_SIDE),
    ]  # fmt: skip
    assert known.outside == []
    unknown = combine(balances=balances, chosen=[1, 11], gie=1, rules=DEFAULT_RULES)
    assert unknown.differences == []
    assert [o.amount for o in unknown.outside] == [120000, -100000]


@pytest.fixture
def books(gie: Any) -> dict[str, Any]:
    made = {
        "gie": gie,
        # named, not numbered by the factory's sequence: the sets list the books by name (regression: "Coopérative
        # Test 10" sorted before "… 9" when other tests had made organizations first)
        "a": OrganizationFactory(
            slug="femmes-argan",
            legal_name_fr="Coopérative Argan des femmes",
            sector="argan_olive",
            is_women_cooperative=True,
        ),
        "b": OrganizationFactory(slug="miel-rif", legal_name_fr="Coopérative Miel du Rif", sector="beekeeping"),
        "c": OrganizationFactory(
            slug="sans-livre", legal_name_fr="Coopérative Sans livre", sector="beekeeping"
        ),  # no book opened
    }
    for key in ("gie", "a", "b"):
        book_ensure(organization=made[key])
    return made


@pytest.mark.django_db
def test_book_sets_and_their_refusals(books: dict[str, Any]) -> None:
    def slugs(spec: str, **kw: Any) -> list[str]:
        return [b.organization.slug for b in book_set(spec, **kw)]

    gie = books["gie"].slug
    assert slugs("all") == slugs("") == slugs(" ALL ") == [gie, "femmes-argan", "miel-rif"]
    assert slugs("all", exclude_gie=True) == ["femmes-argan", "miel-rif"]
    assert slugs("women") == [gie, "femmes-argan"]
    assert slugs("sector:beekeeping") == [gie, "miel-rif"]
    assert slugs("miel-rif") == [gie, "miel-rif"]
    assert slugs(f"miel-rif,{gie}", exclude_gie=True) == ["miel-rif"]
    for spec, value in (("sector:flowers", "sector:flowers"), ("miel-rif,nope,sans-livre", "nope, sans-livre"),
                        ("sector:", "sector:"), (",", ",")):  # fmt: skip
        with pytest.raises(DomainError) as raised:
            book_set(spec)
        assert raised.value.code == ErrorCode.COMBINE_BAD_BOOKS
        assert raised.value.params["value"] == value
        assert "beekeeping" in raised.value.params["sectors"]
    assert slugs("sector:fishing") == [gie]  # the GIE alone
    with pytest.raises(DomainError) as raised:
        book_set("sector:fishing", exclude_gie=True)
    assert raised.value.code == ErrorCode.COMBINE_NO_BOOKS
    assert raised.value.message("fr") == "Aucun livre dans cet ensemble : sector:fishing."


@pytest.mark.django_db
def test_a_change_to_the_pair_list_rebuilds_the_ledgers_pair_table(accountant: Any) -> None:
    """The migrations stored the default list's claims; deactivating the revenue pair (7124, 71272 ↔ 61) changes
    them, and the pair table follows (``pair_claims_sync`` after every change)."""
    from gie_erp.combine.services import pair_claims_sync, pair_rule_save
    from ledger.models import PairClaim

    def stored() -> dict[str, tuple[int, int, int, int]]:
        return {claim.account_code: claim.cases for claim in PairClaim.objects.all()}

    def of_the_list() -> dict[str, tuple[int, int, int, int]]:
        return {code: cases for code, cases in chart_claims(active_rules()).items() if max(cases) >= 0}

    defaults = stored()
    assert defaults == of_the_list()
    assert pair_claims_sync() is False  # already the list's claims
    rule = PairRule.objects.get(key="gie-revenue")
    pair_rule_save(rule=rule, data={"active": False}, acting_user=accountant)
    assert stored() == of_the_list()
    assert stored()["71272"] != defaults["71272"]  # now claimed by the accessory sales' pair (7127 ↔ 6146) only
    pair_rule_save(rule=rule, data={"active": True}, acting_user=accountant)
    assert stored() == defaults
