"""The bench's intercompany partners: which entities an ic_ref links, which lines carry the other side. No database."""

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from bench.data import DEFAULT_GENERATOR, ic_partners, iter_entries, parse_ic_ref, partner_entity

ENTRIES_HEADER = "entry_id,entity,date,kind,ic_ref,description\n"
POSTINGS_HEADER = "entity,date,entry_id,account,amount\n"

# GIE = entity 0. A fee pair (GIE 1000.00 + VAT 200.00 to member 1), its payment pair (bank lines on both sides),
# a trade pair (member 2 sells 500.00 + VAT 100.00 to member 3), a fair day with ic_ref "F2" and a plain expense.
ENTRIES = """\
1,0,2025-03-31,ic_fee,IC1,Facture honoraires E0001 T1
2,1,2025-03-31,ic_fee,IC1,Honoraires GIE T1
3,2,2025-03-31,ic_trade,IC2,Vente à E0003
4,3,2025-03-31,ic_trade,IC2,Achat à E0002
5,2,2025-04-02,pos_day,F2,Ventes foire 2 (3 tickets)
6,0,2025-04-15,ic_fee_pay,IC1,Encaissement honoraires E0001 T1
7,1,2025-04-15,ic_fee_pay,IC1,Règlement honoraires GIE T1
8,1,2025-04-16,expense,,Charge externe
"""
POSTINGS = """\
0,2025-03-31,1,3421,1200.00
0,2025-03-31,1,7124,-1000.00
0,2025-03-31,1,4455,-200.00
1,2025-03-31,2,6136,1000.00
1,2025-03-31,2,3455,200.00
1,2025-03-31,2,4411,-1200.00
2,2025-03-31,3,3421,600.00
2,2025-03-31,3,7121,-500.00
2,2025-03-31,3,4455,-100.00
3,2025-03-31,4,6121,500.00
3,2025-03-31,4,3455,100.00
3,2025-03-31,4,4411,-600.00
2,2025-04-02,5,5161,360.00
2,2025-04-02,5,7121,-300.00
2,2025-04-02,5,4455,-60.00
0,2025-04-15,6,5141,1200.00
0,2025-04-15,6,3421,-1200.00
1,2025-04-15,7,4411,1200.00
1,2025-04-15,7,5141,-1200.00
1,2025-04-16,8,6125,100.00
1,2025-04-16,8,3455,20.00
1,2025-04-16,8,5141,-120.00
"""

# The pairs the combined accounts eliminate, as the generator books them (bench/data.py lists them by kind):
# (code in the first entity's book, code in its partner's book).
PAIRS = (("3421", "4411"), ("7124", "6136"), ("7127", "6146"), ("7121", "6121"))
MIRROR = dict(PAIRS) | {b: a for a, b in PAIRS}


def write_data(path: Path, entries: str = ENTRIES, postings: str = POSTINGS) -> Path:
    (path / "entries.csv").write_text(ENTRIES_HEADER + entries)
    (path / "postings.csv").write_text(POSTINGS_HEADER + postings)
    return path


def partner_balances(path: Path) -> dict[tuple[int, str, int], int]:
    """Signed centimes per (entity, account, partner entity), partner lines only: what eliminations read."""
    partners = ic_partners(path)
    balances: dict[tuple[int, str, int], int] = defaultdict(int)
    for gen in iter_entries(path):
        for code, cents in gen.lines:
            other = partner_entity(entity=gen.entity, ic_ref=gen.ic_ref, account_code=code, partners=partners)
            if other is not None:
                balances[(gen.entity, code, other)] += cents
    return dict(balances)


def test_ic_refs_parse_only_intercompany_refs() -> None:
    assert [parse_ic_ref(text) for text in ("IC1", "IC40750", "F2", "")] == [1, 40750, None, None]


def test_each_ic_ref_links_its_two_entities(tmp_path: Path) -> None:
    path = write_data(tmp_path)
    # IC1: GIE 0 and member 1 (fee and payment share the ref); IC2: seller 2, buyer 3; F2 is a fair, not a ref
    assert ic_partners(path) == {1: (0, 1), 2: (2, 3)}
    assert [gen.ic_ref for gen in iter_entries(path)] == [1, 1, 2, 2, None, 1, 1, None]


def test_every_reciprocal_line_gets_the_other_side_and_treasury_and_vat_do_not(tmp_path: Path) -> None:
    path = write_data(tmp_path)
    partners = ic_partners(path)
    decided = [
        (gen.entry_id, code, partner_entity(entity=gen.entity, ic_ref=gen.ic_ref, account_code=code, partners=partners))
        for gen in iter_entries(path)
        for code, _cents in gen.lines
    ]
    assert decided == [
        (1, "3421", 1), (1, "7124", 1), (1, "4455", None),  # GIE's fee invoice: partner member 1, VAT none
        (2, "6136", 0), (2, "3455", None), (2, "4411", 0),  # member 1's side: partner GIE
        (3, "3421", 3), (3, "7121", 3), (3, "4455", None),  # seller 2: partner buyer 3
        (4, "6121", 2), (4, "3455", None), (4, "4411", 2),  # buyer 3: partner seller 2
        (5, "5161", None), (5, "7121", None), (5, "4455", None),  # fair day: "F2" is no partner
        (6, "5141", None), (6, "3421", 1),  # GIE cashes the fee: bank without partner
        (7, "4411", 0), (7, "5141", None),  # member 1 pays it
        (8, "6125", None), (8, "3455", None), (8, "5141", None),  # no ic_ref
    ]  # fmt: skip
    with_partner = [code for _entry, code, other in decided if other is not None]
    # 2 + 2 + 2 + 2 + 1 + 1 = 10 lines; 3421 on entries 1, 3, 6; 4411 on 2, 4, 7; one each of 7124 6136 7121 6121
    assert len(with_partner) == 10
    assert {code: with_partner.count(code) for code in set(with_partner)} == {
        "3421": 3, "4411": 3, "7124": 1, "6136": 1, "7121": 1, "6121": 1,
    }  # fmt: skip


def test_the_partner_balances_of_each_pair_cancel(tmp_path: Path) -> None:
    balances = partner_balances(write_data(tmp_path))
    assert balances == {
        (0, "3421", 1): 0,  # +1200.00 invoiced - 1200.00 cashed
        (0, "7124", 1): -100000,  # fee revenue 1000.00
        (1, "6136", 0): 100000,  # fee expense 1000.00
        (1, "4411", 0): 0,  # -1200.00 owed + 1200.00 paid
        (2, "3421", 3): 60000,  # 500.00 + 100.00 VAT receivable
        (2, "7121", 3): -50000,
        (3, "6121", 2): 50000,
        (3, "4411", 2): -60000,
    }
    # each pair nets to zero: 0 + 0, -100000 + 100000, 60000 - 60000, -50000 + 50000
    for (entity, code, other), cents in balances.items():
        assert cents + balances[(other, MIRROR[code], entity)] == 0


def test_files_out_of_step_are_refused(tmp_path: Path) -> None:
    one_side = write_data(tmp_path, entries="1,0,2025-03-31,ic_fee,IC1,Facture\n")
    with pytest.raises(ValueError, match=r"one side only, e\.g\. IC1"):
        ic_partners(one_side)
    three = "1,0,2025-03-31,ic_fee,IC1,a\n2,1,2025-03-31,ic_fee,IC1,b\n3,2,2025-04-15,ic_fee_pay,IC1,c\n"
    with pytest.raises(ValueError, match="more than two entities"):
        ic_partners(write_data(tmp_path, entries=three))
    with pytest.raises(ValueError, match="not a side of IC1"):
        partner_entity(entity=5, ic_ref=1, account_code="3421", partners={1: (0, 1)})
    # 34552 (VAT on a fee, registered member) is VAT too: never a partner
    assert partner_entity(entity=0, ic_ref=1, account_code="34552", partners={1: (0, 1)}) is None


@pytest.mark.skipif(not DEFAULT_GENERATOR.exists(), reason="the shared generator is not beside the repository")
def test_the_generators_partner_lines_fall_in_the_pair_list_and_cancel(tmp_path: Path) -> None:
    """The tiny size (GIE + 3 members: 9 fee refs, 3 contributions, 3 trades) through the real generator."""
    subprocess.run(
        [sys.executable, str(DEFAULT_GENERATOR), "--size", "tiny", "--out", str(tmp_path), "--no-text"],
        check=True,
        capture_output=True,
    )
    path = tmp_path / "tiny"
    # 3 members x (4 fees + 1 contribution) = 15 refs with the GIE, plus round(0.01 x 3 x 100) = 3 trades
    assert len(ic_partners(path)) == 18
    balances = partner_balances(path)
    assert {code for _entity, code, _other in balances} == set(MIRROR)  # every paired account is used, no other
    for (entity, code, other), cents in balances.items():
        assert cents + balances[(other, MIRROR[code], entity)] == 0, (entity, code, other)
