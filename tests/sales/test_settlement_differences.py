"""Consigned goods the GIE decided to pay are owed to the member like its takings: the next settlement of the event
pays them (no commission on them: nobody sold them), once, and ``due_for`` counts them until then. Regression: the
loss entry credited 4463·member but no settlement ever paid it, and the event said nothing was left due."""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from ledger import accounts
from sales.consignment import difference_decide, stock_of
from sales.models import Deposit, Settlement
from sales.settlements import due_for, settle, settle_event, settlement_preview
from sales.summaries import summarize
from tests.sales.books_view import assert_books_verify
from tests.sales.conftest import TODAY, D, balance
from tests.sales.test_consignment import honey, row_of  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
# honey's tickets for coop-miel: 600.00 cash + 1030.00 card + 360.00 mobile − 120.00 refunded = 1870.00 TTC;
# 2 pots missing at 120.00 TTC each = 240.00 paid by the GIE
TAKINGS = D("1870.00")
DIFFERENCE = D("240.00")


def decide_gie(fair: dict[str, Any], accountant: Any, on: date = TODAY) -> Deposit:
    row = row_of(stock_of(fair["event"], fair["registered"]), "miel-250")
    return difference_decide(
        deposit_id=row.deposit.pk, decision="gie", decided_on=on, acting_user=accountant, today=TODAY
    )


def test_the_settlement_pays_the_difference_the_gie_took_on(
    honey: dict[str, Any],  # noqa: F811 (the fixture)
    accountant: Any,
) -> None:
    event, miel, gie = honey["event"], honey["registered"], honey["gie"]
    summarize(event, today=TODAY)
    deposit = decide_gie(honey, accountant)
    # owed: 1870.00 + 240.00 = 2110.00 (4463·member holds both)
    assert due_for(event, miel) == D("2110.00")
    assert balance(gie, accounts.PARTNER_CURRENT_CREDIT, miel) == D("-2110.00")
    plan = settlement_preview(event, miel, on=TODAY)
    # commission on the takings only: 10 % of 1870.00 = 187.00 HT, VAT 20 % 37.40, 224.40 TTC
    assert (plan.takings, plan.differences, plan.commission_ttc) == (TAKINGS, DIFFERENCE, D("224.40"))
    # net: 2110.00 − 224.40 = 1885.60
    assert plan.net == D("1885.60")
    settlement = settle(event, miel, on=TODAY, acting_user=accountant, today=TODAY)
    assert (settlement.takings, settlement.differences, settlement.net_paid) == (TAKINGS, DIFFERENCE, D("1885.60"))
    assert settlement.commission_netted == D("224.40")
    deposit.refresh_from_db()
    assert deposit.settlement_id == settlement.pk
    # everything paid: nothing left due, both books cleared
    assert due_for(event, miel) == D("0.00")
    assert balance(gie, accounts.PARTNER_CURRENT_CREDIT, miel) == D("0.00")
    assert balance(miel, accounts.SUNDRY_DEBTORS, gie) == D("0.00")
    assert_books_verify()


def test_a_difference_decided_after_the_settlement_is_paid_by_the_next(
    honey: dict[str, Any],  # noqa: F811 (the fixture)
    accountant: Any,
) -> None:
    event, miel, gie = honey["event"], honey["registered"], honey["gie"]
    summarize(event, today=TODAY)
    first = settle(event, miel, on=date(2026, 11, 29), acting_user=accountant, today=TODAY)
    assert (first.takings, first.differences, first.net_paid) == (TAKINGS, D("0.00"), D("1645.60"))  # 1870 − 224.40
    decide_gie(honey, accountant, on=TODAY)
    # decided on the 30th: a settlement dated the 29th could not have paid it, one dated the 30th does
    assert settlement_preview(event, miel, on=date(2026, 11, 29)).differences == D("0.00")
    assert due_for(event, miel) == DIFFERENCE
    settled = settle_event(event, on=TODAY, acting_user=accountant, today=TODAY)
    assert len(settled) == 1
    second = settled[0]
    # no takings, so no commission: the 240.00 is paid whole
    assert (second.takings, second.differences, second.commission_id, second.net_paid) == (
        D("0.00"),
        DIFFERENCE,
        None,
        DIFFERENCE,
    )
    assert due_for(event, miel) == D("0.00")
    assert balance(gie, accounts.PARTNER_CURRENT_CREDIT, miel) == D("0.00")
    # nothing is paid twice: settling again on the 30th returns the same, and a later date finds nothing
    assert settle_event(event, on=TODAY, acting_user=accountant, today=TODAY) == [second]
    with pytest.raises(DomainError) as refused:
        settle(event, miel, on=date(2026, 12, 1), acting_user=accountant, today=date(2026, 12, 1))
    assert refused.value.code == ErrorCode.SALES_NOTHING_TO_SETTLE
    assert Settlement.objects.filter(event=event, organization=miel).count() == 2
    assert_books_verify()
