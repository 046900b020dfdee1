"""Training arithmetic without a database: funders' shares, the member's share, completion, a session's bill.
Every figure is worked out by hand in the comments."""

from collections import Counter
from decimal import Decimal

import pytest

from training.maths import AMOUNT, ATTENDED, ENROLLED, PERCENT, FunderTerms, compute_bill, funder_share, is_complete
from training.maths import trainee_split as split

D = Decimal
FEE = D("350.00")
INDH = FunderTerms("indh", PERCENT, D("0.4000"))  # 40 % of attendees


def test_a_percent_share_is_the_rate_of_the_fee_rounded_half_up() -> None:
    assert funder_share(FEE, INDH) == D("140.00")  # 350 × 0.40
    # 350 × 0.3333 = 116.655 → 116.66
    assert funder_share(FEE, FunderTerms("r", PERCENT, D("0.3333"))) == D("116.66")
    # 100.25 × 0.10 = 10.025 → 10.03 half-up (half-even would give 10.02)
    assert funder_share(D("100.25"), FunderTerms("r", PERCENT, D("0.1000"))) == D("10.03")


def test_an_amount_per_trainee_is_capped_at_the_fee() -> None:
    assert funder_share(FEE, FunderTerms("region", AMOUNT, D("100.00"))) == D("100.00")
    assert funder_share(FEE, FunderTerms("region", AMOUNT, D("500.00"))) == D("350.00")


def test_the_member_pays_the_fee_less_the_funders_of_an_attendee() -> None:
    assert split(FEE, [INDH], attended=True).member == D("210.00")  # 350 − 140
    assert split(FEE, [INDH], attended=True).funders == {"indh": D("140.00")}


def test_an_attendance_funder_pays_nothing_for_an_absentee_and_the_member_pays_its_part() -> None:
    absent = split(FEE, [INDH], attended=False)
    assert absent.member == D("350.00")
    assert absent.funders == {}


def test_an_enrolment_funder_pays_for_an_absentee_too() -> None:
    region = FunderTerms("region", AMOUNT, D("50.00"), basis=ENROLLED)
    absent = split(FEE, [INDH, region], attended=False)
    assert absent.funders == {"region": D("50.00")}
    assert absent.member == D("300.00")  # 350 − 50 (INDH pays attendees only)
    present = split(FEE, [INDH, region], attended=True)
    assert present.member == D("160.00")  # 350 − 140 − 50


def test_funders_together_never_pay_more_than_the_fee() -> None:
    # INDH 60 % = 210.00, then the region's 300.00 is capped at what is left: 140.00; the member pays 0.00
    indh, region = FunderTerms("indh", PERCENT, D("0.6000")), FunderTerms("region", AMOUNT, D("300.00"))
    both = split(FEE, [indh, region], attended=True)
    assert both.funders == {"indh": D("210.00"), "region": D("140.00")}
    assert both.member == D("0.00")


def test_bad_terms_are_refused() -> None:
    with pytest.raises(ValueError):
        FunderTerms("x", PERCENT, D("1.5000"))
    with pytest.raises(ValueError):
        FunderTerms("x", "gift", D("1"))
    with pytest.raises(ValueError):
        FunderTerms("x", AMOUNT, D("-1.00"), basis=ATTENDED)


@pytest.mark.parametrize(
    ("present", "half_days", "complete"),
    [(5, 5, True), (4, 5, True), (3, 5, False), (8, 10, True), (7, 10, False), (0, 0, False), (0, 3, False)],
)
def test_completion_is_80_percent_of_half_days_exactly(present: int, half_days: int, complete: bool) -> None:
    # 4/5 is exactly 0.8: a float comparison could fall on either side, fractions cannot
    assert is_complete(present, half_days, D("0.8000")) is complete


def test_completion_at_two_thirds_compares_exactly() -> None:
    # 2/3 = 0.6666…: a rate of 0.6667 asks for slightly more than two half-days in three
    assert is_complete(2, 3, D("0.6666")) is True
    assert is_complete(2, 3, D("0.6667")) is False


def test_the_issues_session_bill() -> None:
    """A enrols 4 and B 1, all five attend; C cancelled before the deadline and is not billed at all."""
    trainees = [("A", True)] * 4 + [("B", True)]
    bill = compute_bill(FEE, [INDH], trainees)
    assert bill.lines == {"A": Counter({D("210.00"): 4}), "B": Counter({D("210.00"): 1})}
    assert bill.member_net("A") == D("840.00")  # 4 × 210
    assert bill.member_net("B") == D("210.00")
    assert bill.member_net("C") == D("0.00")
    assert bill.funder_totals == {"indh": D("700.00")}  # 5 × 140
    assert bill.funder_trainees == Counter({"indh": 5})


def test_a_fully_funded_member_gets_no_line() -> None:
    bill = compute_bill(FEE, [FunderTerms("indh", PERCENT, D("1.0000"))], [("A", True), ("A", False)])
    # the attendee is paid in full by INDH; the absentee is the member's: one line of 350.00
    assert bill.lines == {"A": Counter({D("350.00"): 1})}
    assert bill.funder_totals == {"indh": D("350.00")}
