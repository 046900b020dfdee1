"""The issue's hand-computed month (``conftest.py``): the GIE and three members in November 2026, combined.

Every book's balances (debit − credit, MAD), from the entries the services posted:

GIE      3463·olive 504.00 + 19.20 − 19.20 + 120.00 = 624.00; 3463·miel 252.00 + 14.40 − 14.40 + 120.00 − 120.00
         = 252.00; 3463·tapis 54.00 − 54.00 + 120.00 = 120.00 (3463: 996.00); 34512 (INDH, 3 × 140.00) 420.00;
         44551 −(84.00 + 42.00 + 3.20 + 2.40 + 9.00 + 3 × 20.00) + (3.20 + 2.40 + 9.00 + 20.00) = −166.00;
         4455 −34.60; 4463·olive −160.00 + 19.20 + 140.80 − 80.00 = −80.00, ·miel −120.00 + 14.40 + 105.60 = 0,
         ·tapis −450.00 + 54.00 + 396.00 = 0; 5115 (card) 450.00; 5141 −140.80 − 105.60 − 396.00 + 120.00 = −522.40;
         5161 160.00 + 120.00 + 80.00 = 360.00; 7124 −(420.00 + 100.00) − (210.00 + 100.00) − 100.00 = −930.00;
         71272 −(16.00 + 12.00 + 45.00) = −73.00; 7161 −420.00.                                        Σ 0.00
olive    3488·GIE 160.00 − 19.20 − 140.80 + 80.00 = 80.00; 4488·GIE −504.00 − 19.20 + 19.20 − 120.00 = −624.00;
(art. 91) 5141 140.80; 6136·GIE 420.00 + 16.00 + 100.00 = 536.00 and 6136 without partner (the VAT it cannot
         recover) 84.00 + 3.20 + 20.00 = 107.20: 6136 643.20; 7121 −240.00.                              Σ 0.00
miel     3488·GIE 120.00 − 14.40 − 105.60 = 0; 34552 2.40 + 20.00 = 22.40; 34554 42.00 + 2.40 − 2.40 + 20.00
         − 20.00 = 42.00; 4455 −20.00; 4488·GIE −252.00 − 14.40 + 14.40 − 120.00 + 120.00 = −252.00;
         5141 105.60 − 120.00 = −14.40; 6136·GIE 210.00 + 12.00 + 100.00 = 322.00; 7121 −100.00.         Σ 0.00
tapis    3488·GIE 450.00 − 54.00 − 396.00 = 0; 4488·GIE −54.00 + 54.00 − 120.00 = −120.00; 5141 396.00 − 30.00
(art. 91) = 366.00; 6136·GIE 45.00 + 100.00 = 145.00, 6136 without partner 9.00 + 20.00 = 29.00: 174.00;
         6146·GIE 30.00 (the mismatch); 7121 −450.00.                                                    Σ 0.00

Eliminated pairs (each side cancels the other exactly):
  3463 ↔ 4488   GIE/olive 624.00, GIE/miel 252.00, GIE/tapis 120.00           (3463 −996.00, 4488 +996.00)
  4463 ↔ 3488   GIE/olive −80.00 (the sale of the 27th, not yet settled)       (4463 +80.00, 3488 −80.00)
                (miel and tapis: both sides 0.00 after the settlement: nothing to eliminate)
  revenue ↔ 61  GIE 7124 −520.00 and 71272 −16.00 / olive 6136·GIE 536.00; miel −310.00 − 12.00 / 322.00; tapis
                −100.00 − 45.00 / 145.00                     (7124 +930.00, 71272 +73.00, 6136 −1,003.00)
The difference: 7127 ↔ 6146 GIE/tapis, GIE 0.00 against tapis 30.00: 30.00, a document posted on one side only
(the GIE has no line without partner on 7127; nothing in December completes it).

Combined = sum of books + eliminations: 3463 0; 34512 420.00; 34552 22.40; 34554 42.00; 3488 0; 44551 −166.00;
4455 −34.60 − 20.00 = −54.60; 4463 0; 4488 0; 5115 450.00; 5141 −522.40 + 140.80 − 14.40 + 366.00 = −30.00;
5161 360.00; 6136 643.20 + 322.00 + 174.00 − 1,003.00 = 136.20 (= olive's 107.20 + tapis's 29.00: the VAT the
art. 91 members bear stays a group cost); 6146 30.00; 7121 −790.00; 7124 0; 71272 0; 7161 −420.00.      Σ 0.00

CPC: I 712 ventes 790.00, 716 subventions 420.00 = 1,210.00; II 613 autres charges externes 136.20 + 30.00 = 166.20;
III = result 1,043.80.
Bilan at 30 November (nothing before November): actif 34 créances 420.00 + 22.40 + 42.00 = 484.40, 51 trésorerie
5115 450.00 + 5161 360.00 = 810.00: 1,294.40; passif 11 capitaux propres (the result) 1,043.80, 44 dettes 166.00 +
54.60 = 220.60, 55 trésorerie-passif (5141 in credit) 30.00: 1,294.40.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gie_erp.combine.eliminate import Cause
from gie_erp.combine.selectors import active_rules, book_set, chart_claims, combined_accounts, combined_trial_balance
from tests.combine.conftest import NOV_1, NOV_30, month  # noqa: F401 (the fixture)
from tests.sales.books_view import assert_books_verify

pytestmark = pytest.mark.django_db


def mad(centimes: int) -> Decimal:
    return Decimal(centimes).scaleb(-2)


def test_the_hand_computed_month_line_by_line(month: dict[str, Any]) -> None:  # noqa: F811
    gie, olive, miel, tapis = month["gie"], month["exempt"], month["registered"], month["tapis"]
    assert_books_verify()
    result = combined_accounts(books=book_set("all"), start=NOV_1, end=NOV_30)
    tb = result.trial_balance
    # the GIE first, then by name: Coopérative Nahla (miel), Zarbia (tapis), Zitouna (olive)
    assert [c.slug for c in tb.columns] == [gie.slug, miel.slug, tapis.slug, olive.slug]
    table = {
        r.code: ([str(mad(v)) for v in r.by_book], *(str(mad(v)) for v in (r.total, r.eliminations, r.combined)))
        for r in tb.rows
    }
    assert table == {
        #         GIE        miel      tapis     olive        sum of books  eliminations  combined
        "3463": (["996.00", "0.00", "0.00", "0.00"], "996.00", "-996.00", "0.00"),
        "34512": (["420.00", "0.00", "0.00", "0.00"], "420.00", "0.00", "420.00"),
        "34552": (["0.00", "22.40", "0.00", "0.00"], "22.40", "0.00", "22.40"),
        "34554": (["0.00", "42.00", "0.00", "0.00"], "42.00", "0.00", "42.00"),
        "3488": (["0.00", "0.00", "0.00", "80.00"], "80.00", "-80.00", "0.00"),
        "44551": (["-166.00", "0.00", "0.00", "0.00"], "-166.00", "0.00", "-166.00"),
        "4455": (["-34.60", "-20.00", "0.00", "0.00"], "-54.60", "0.00", "-54.60"),
        "4463": (["-80.00", "0.00", "0.00", "0.00"], "-80.00", "80.00", "0.00"),
        "4488": (["0.00", "-252.00", "-120.00", "-624.00"], "-996.00", "996.00", "0.00"),
        "5115": (["450.00", "0.00", "0.00", "0.00"], "450.00", "0.00", "450.00"),
        "5141": (["-522.40", "-14.40", "366.00", "140.80"], "-30.00", "0.00", "-30.00"),
        "5161": (["360.00", "0.00", "0.00", "0.00"], "360.00", "0.00", "360.00"),
        "6136": (["0.00", "322.00", "174.00", "643.20"], "1139.20", "-1003.00", "136.20"),
        "6146": (["0.00", "0.00", "30.00", "0.00"], "30.00", "0.00", "30.00"),
        "7121": (["0.00", "-100.00", "-450.00", "-240.00"], "-790.00", "0.00", "-790.00"),
        "7124": (["-930.00", "0.00", "0.00", "0.00"], "-930.00", "930.00", "0.00"),
        "71272": (["-73.00", "0.00", "0.00", "0.00"], "-73.00", "73.00", "0.00"),
        "7161": (["-420.00", "0.00", "0.00", "0.00"], "-420.00", "0.00", "-420.00"),
    }
    assert tb.total == 0
    # the art. 91 members' VAT (olive 84.00 + 3.20 + 20.00, tapis 9.00 + 20.00) stays in 6136: a group cost
    assert tb.combination.combined["6136"] == 10720 + 2900

    # each eliminated pair, with its books, accounts and amounts
    pairs = [(p.rule_key, p.left.slug, p.left_accounts, p.right.slug, p.right_accounts) for p in tb.eliminated]
    assert pairs == [
        ("gie-receivable", gie.slug, (("3463", 62400),), olive.slug, (("4488", -62400),)),
        ("gie-receivable", gie.slug, (("3463", 25200),), miel.slug, (("4488", -25200),)),
        ("gie-receivable", gie.slug, (("3463", 12000),), tapis.slug, (("4488", -12000),)),
        ("gie-payable", gie.slug, (("4463", -8000),), olive.slug, (("3488", 8000),)),
        ("gie-revenue", gie.slug, (("7124", -52000), ("71272", -1600)), olive.slug, (("6136", 53600),)),
        ("gie-revenue", gie.slug, (("7124", -31000), ("71272", -1200)), miel.slug, (("6136", 32200),)),
        ("gie-revenue", gie.slug, (("7124", -10000), ("71272", -4500)), tapis.slug, (("6136", 14500),)),
    ]
    assert all(p.left_amount + p.right_amount == 0 for p in tb.eliminated)

    # the deliberate mismatch: listed with its amount and likely cause, never plugged
    (difference,) = tb.differences
    assert (difference.rule_key, difference.left.slug, difference.right.slug) == ("gie-accessory-sales", gie.slug,
                                                                                  tapis.slug)  # fmt: skip
    assert (difference.left_amount, difference.right_amount, difference.difference) == (0, 3000, 3000)
    assert difference.right_accounts == (("6146", 3000),)
    assert difference.cause == Cause.ONE_SIDE
    assert difference.cause_label("fr") == "Pièce comptabilisée d'un seul côté"
    assert difference.cause_label("ar") == "وثيقة مسجلة في طرف واحد فقط"
    assert "6146" not in tb.combination.eliminations
    assert tb.outside == ()

    # CPC of the combined movements
    cpc = result.cpc
    lines = {line.key: mad(line.net) for section in cpc.sections.values() for line in section.lines if line.net}
    assert lines == {"712": Decimal("790.00"), "716": Decimal("420.00"), "613": Decimal("166.20")}
    assert mad(cpc.total("I")) == Decimal("1210.00")
    assert mad(cpc.total("II")) == Decimal("166.20")
    assert mad(cpc.operating_result) == mad(cpc.net_result) == Decimal("1043.80")

    # Bilan at 30 November
    bilan = result.bilan
    actif = {line.key: mad(line.net) for section in bilan.actif for line in section.lines if line.net}
    passif = {line.key: mad(line.net) for section in bilan.passif for line in section.lines if line.net}
    assert actif == {"34": Decimal("484.40"), "51": Decimal("810.00")}
    assert passif == {"11": Decimal("1043.80"), "44": Decimal("220.60"), "55": Decimal("30.00")}
    assert mad(bilan.total_actif) == mad(bilan.total_passif) == Decimal("1294.40")
    assert bilan.unclassified == {}
    assert result.bilan_differences == ()


def test_a_set_without_some_members_leaves_their_flows_outside(month: dict[str, Any]) -> None:  # noqa: F811
    """The GIE and olive only: the GIE's flows with miel and tapis are outside the set, never differences; the
    mismatch (tapis's side) is not read at all. 3463: 996.00 in the GIE − 624.00 eliminated with olive = 372.00."""
    gie, olive, miel, tapis = month["gie"], month["exempt"], month["registered"], month["tapis"]
    tb = combined_trial_balance(books=book_set(f"{olive.slug}"), start=NOV_1, end=NOV_30)
    assert [c.slug for c in tb.columns] == [gie.slug, olive.slug]
    assert tb.differences == ()
    # what the GIE posted towards miel and tapis, with its accounts (the settled 4463 nets to nothing: not listed)
    assert [(o.rule_key, o.partner.slug, o.amount) for o in tb.outside] == [
        ("gie-receivable", miel.slug, 25200),
        ("gie-receivable", tapis.slug, 12000),
        ("gie-revenue", miel.slug, -32200),
        ("gie-revenue", tapis.slug, -14500),
    ]
    assert tb.outside[2].accounts == (("7124", -31000), ("71272", -1200))
    assert all(o.book.slug == gie.slug for o in tb.outside)
    combined = {r.code: r.combined for r in tb.rows}
    assert combined["3463"] == 37200
    assert combined["7124"] == -(31000 + 10000)
    assert combined["4488"] == 0
    assert {e.right.slug for e in tb.eliminated} == {olive.slug}

    # the members only: each one's side towards the GIE is outside
    members = combined_trial_balance(books=book_set("all", exclude_gie=True), start=NOV_1, end=NOV_30)
    assert gie.slug not in [c.slug for c in members.columns]
    assert members.eliminated == ()
    assert members.differences == ()  # tapis's 6146·GIE faces a book outside the set: outside, not a difference
    assert ("gie-accessory-sales", tapis.slug, gie.slug, 3000) in [
        (o.rule_key, o.book.slug, o.partner.slug, o.amount) for o in members.outside
    ]


def test_book_sets_women_and_sector(month: dict[str, Any]) -> None:  # noqa: F811
    from members.models import Organization

    gie, olive, miel, tapis = month["gie"], month["exempt"], month["registered"], month["tapis"]
    Organization.objects.filter(pk=tapis.pk).update(is_women_cooperative=True, sector="handicraft")
    Organization.objects.filter(pk__in=[olive.pk, miel.pk]).update(sector="argan_olive")
    assert [b.organization.slug for b in book_set("women")] == [gie.slug, tapis.slug]
    assert [b.organization.slug for b in book_set("women", exclude_gie=True)] == [tapis.slug]
    assert [b.organization.slug for b in book_set("sector:argan_olive")] == [gie.slug, miel.slug, olive.slug]
    assert [b.organization.slug for b in book_set(f" {miel.slug} , {olive.slug},{miel.slug}")] == [
        gie.slug, miel.slug, olive.slug,
    ]  # fmt: skip
    women = combined_trial_balance(books=book_set("women"), start=NOV_1, end=NOV_30)
    # the GIE and tapis: the fee, the commission and the fair eliminate; the mismatch is a difference again
    assert [(e.rule_key, e.right.slug) for e in women.eliminated] == [
        ("gie-receivable", tapis.slug), ("gie-revenue", tapis.slug),
    ]  # fmt: skip
    assert [(d.rule_key, d.cause) for d in women.differences] == [("gie-accessory-sales", Cause.ONE_SIDE)]


def test_pairs_left_in_the_database_give_the_same_accounts(month: dict[str, Any]) -> None:  # noqa: F811
    """``listed=False`` (the command, a region's trial balance): the pairs that cancel are counted and taken out in
    the database, never listed; every figure is the listed path's — the rows, the differences with their causes,
    the flows outside the set, the count of eliminated pairs — on the whole group (7 pairs eliminated, 1 difference)
    and on the sets above (outside flows; a difference whose cause reads the next month)."""
    olive = month["exempt"]
    for books in (book_set("all"), book_set(f"{olive.slug}"), book_set("all", exclude_gie=True)):
        listed = combined_trial_balance(books=books, start=NOV_1, end=NOV_30)
        counted = combined_trial_balance(books=books, start=NOV_1, end=NOV_30, listed=False)
        assert counted.rows == listed.rows
        assert counted.differences == listed.differences
        assert counted.outside == listed.outside
        assert counted.eliminated_count == listed.eliminated_count
        assert counted.eliminated == ()
    whole = combined_trial_balance(books=book_set("all"), start=NOV_1, end=NOV_30, listed=False)
    assert (whole.eliminated_count, len(whole.differences)) == (7, 1)
    assert {r.code: r.eliminations for r in whole.rows}["3463"] == -99600


def test_the_year_read_from_the_pair_table(month: dict[str, Any]) -> None:  # noqa: F811
    """The whole of 2026 (nothing else was posted that year): the pairs that do not cancel come from the ledger's pair
    table, kept by every posting above under the default pair list's claims (stored after the migrations), and the
    year's trial balance is November's — the rows, the 7 eliminated pairs, the one difference, the same sets."""
    from ledger import pair_table, pairs
    from ledger.models import PairClaim

    year = (date(2026, 1, 1), date(2026, 12, 31))
    claims = chart_claims(active_rules())
    assert {claim.account_code: claim.cases for claim in PairClaim.objects.all()} == {
        code: cases for code, cases in claims.items() if max(cases) >= 0
    }
    gie = month["gie"].pk
    assert pairs._table_year(*year, claims, gie) == 2026
    assert pair_table.differences() == []
    olive = month["exempt"]
    for books in (book_set("all"), book_set(f"{olive.slug}"), book_set("all", exclude_gie=True)):
        november = combined_trial_balance(books=books, start=NOV_1, end=NOV_30, listed=False)
        whole_year = combined_trial_balance(books=books, start=year[0], end=year[1], listed=False)
        assert whole_year.rows == november.rows
        assert [(d.rule_key, d.left.slug, d.right.slug, d.difference) for d in whole_year.differences] == [
            (d.rule_key, d.left.slug, d.right.slug, d.difference) for d in november.differences
        ]
        assert whole_year.outside == november.outside
        assert whole_year.eliminated_count == november.eliminated_count
    whole = combined_trial_balance(books=book_set("all"), start=year[0], end=year[1], listed=False)
    assert (whole.eliminated_count, len(whole.differences)) == (7, 1)
    assert {r.code: r.eliminations for r in whole.rows}["3463"] == -99600
