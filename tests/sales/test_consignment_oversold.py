"""Sales beyond what was deposited (issue 12, round 2 user pass): a paper tally typed 1000 jars for 10 deposited
showed "Déposé 10 / Vendu 1000", a difference "—", and a settlement preview offering to pay it all without a word.
Now the reconciliation shows the difference negative and flags the row, ``stock_questions`` counts it, and both
settlement previews warn. Figures of the ``honey`` fixture (tests/sales/test_consignment.py): coop-miel deposited
20 pots of honey and 10 of amlou, sold 11 and 10, took 7 and 0 back."""

import html
from typing import Any

import pytest
from django.test import Client

from sales.consignment import oversold_rows, reconciliation, stock_questions
from sales.summaries import summarize
from tests.sales import test_consignment
from tests.sales.conftest import TODAY, ticket
from tests.sales.test_consignment import deposit, row_of, sell

pytestmark = pytest.mark.django_db
honey = test_consignment.honey  # the fixture, for these tests too
PAGE = "/sales/events/foire-tanger-2026/consignment/"


@pytest.fixture
def oversold(honey: dict[str, Any], accountant: Any) -> dict[str, Any]:
    """coop-olive deposits 10 litres of oil, nothing back yet; a tally says 1000 were sold (80 000,00 DH)."""
    deposit(honey, "exempt", accountant, huile="10")
    p = honey["products"]
    sell(honey, ticket(honey["event"], [(p["huile"], "1000", "80.00")], [("cash", "80000.00")]))
    return honey


def test_a_product_sold_beyond_its_deposit_is_a_question(oversold: dict[str, Any]) -> None:
    event = oversold["event"]
    huile = row_of(reconciliation(event), "huile-1l")
    assert (huile.deposited, huile.sold, huile.returned) == (10, 1000, None)
    assert huile.oversold
    assert huile.difference == -990  # no return explains it: shown negative before the returns are entered
    assert not huile.needs_decision
    # one return missing (the oil), one decision pending (coop-miel's 2 pots), one product sold beyond its deposit
    assert stock_questions(event) == (1, 1, 1)
    assert stock_questions(event, oversold["exempt"].pk) == (1, 0, 1)
    assert stock_questions(event, oversold["registered"].pk) == (0, 1, 0)


def test_sold_without_a_deposit_counts_only_for_a_member_that_deposits(honey: dict[str, Any], accountant: Any) -> None:
    event, p = honey["event"], honey["products"]
    sell(honey, ticket(event, [(p["huile"], "2", "80.00")], [("cash", "160.00")]))
    sell(honey, ticket(event, [(p["tapis"], "1", "450.00")], [("cash", "450.00")]))
    # coop-olive and coop-tapis deposit nothing at this fair: they do not use consignment, their sales ask nothing
    assert stock_questions(event).oversold == 0
    assert row_of(reconciliation(event), "huile-1l").difference is None  # listed as "sold without a deposit"
    # coop-miel deposits: a product of its own sold without a deposit would be a question; its amlou sold 5 more
    sell(honey, ticket(event, [(p["amlou"], "5", "55.00")], [("cash", "275.00")]))
    rows = oversold_rows(reconciliation(event))
    assert [(row.product.code, row.deposited, row.sold, row.difference) for row in rows] == [
        ("amlou-250", 10, 15, -5)  # 10 − 15 − 0 returned
    ]


def test_the_consignment_page_flags_the_row(client: Client, accountant: Any, oversold: dict[str, Any]) -> None:
    client.force_login(accountant)
    page = html.unescape(client.get(PAGE).content.decode())
    assert "1 produit a été vendu au-delà de ce qui a été déposé" in page
    row = page[page.index('data-code="huile-1l"') :]
    row = row[: row.index("</tr>")]
    assert 'class="oversold"' in row
    assert "<b>-990</b>" in row
    assert "plus vendu que déposé" in row
    miel = page[page.index('data-code="miel-250"') :]
    assert 'class="oversold"' not in miel[: miel.index("</tr>")]


def test_both_settlement_previews_warn(client: Client, accountant: Any, oversold: dict[str, Any]) -> None:
    summarize(oversold["event"], today=TODAY)
    client.force_login(accountant)
    member = html.unescape(
        client.get("/sales/events/foire-tanger-2026/settle/coop-olive/?on=2026-11-30").content.decode()
    )
    warning = member[member.index('id="stock-oversold"') :]
    warning = warning[: warning.index("</div>")]
    assert "1 produit a été vendu au-delà de ce qui a été déposé : le montant à verser en dépend" in warning
    assert "<bdi>Huile d'olive 1 l</bdi> : déposé 10, vendu 1000" in warning
    assert 'id="settle-confirm"' in member  # a warning, not a refusal
    everyone = html.unescape(client.get("/sales/events/foire-tanger-2026/settle/?on=2026-11-30").content.decode())
    warning = everyone[everyone.index('id="stock-oversold"') :]
    expected = "<bdi>Coopérative Zitouna</bdi> · <bdi>Huile d'olive 1 l</bdi> : déposé 10, vendu 1000"
    assert expected in warning[: warning.index("</div>")]
