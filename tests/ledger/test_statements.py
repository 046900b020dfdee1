"""Bilan and CPC builders, on hand-computed balances (centimes). Pure."""

from ledger.statements import build_bilan, build_cpc

# Cooperative A at 31 March 2026 (the `march` fixture's figures), debit − credit in centimes
COOP_A = {
    "1111": -2150000,
    "3421": 480000,
    "3488": 0,
    "4411": 0,
    "5141": 1995500,
    "5161": 395050,
    "6121": 320000,
    "6136": 72000,
    "6147": 2500,
    "6171": 210000,
    "7121": -1325050,
}


def test_cpc_by_hand():
    cpc = build_cpc(COOP_A)
    assert cpc.total("I") == 1325050  # 7121: 2 450,50 + 4 800 + 6 000
    assert cpc.total("II") == 320000 + 72000 + 2500 + 210000  # 6 045,00
    assert cpc.operating_result == 720550
    assert cpc.financial_result == 0
    assert cpc.net_result == 720550
    other_external = next(line for line in cpc.sections["II"].lines if line.key == "613")
    assert other_external.accounts == {"6136": 72000, "6147": 2500}


def test_bilan_by_hand_balances():
    bilan = build_bilan(COOP_A)
    assert bilan.unclassified == {}
    receivables = next(line for line in bilan.actif[1].lines if line.key == "34")
    assert receivables.net == 480000
    assert bilan.actif[2].net == 1995500 + 395050
    equity = bilan.passif[0].lines[0]
    assert equity.gross == 2150000 + 720550  # capital + the year's result
    assert bilan.total_actif == bilan.total_passif == 2870550


def test_bank_overdraft_goes_to_passif_and_depreciation_is_deducted():
    bilan = build_bilan({"5141": -100000, "5161": 20000, "2332": 500000, "2833": -125000, "1111": -295000})
    assert bilan.actif[2].net == 20000
    assert bilan.passif[2].net == 100000
    tangible = next(line for line in bilan.actif[0].lines if line.key == "23")
    assert (tangible.gross, tangible.contra, tangible.net) == (500000, 125000, 375000)
    assert bilan.total_actif == bilan.total_passif == 395000
