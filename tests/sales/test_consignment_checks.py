"""What the consignment pages refuse before writing anything (issue 12, user pass): a deposit or a return dated
outside the event, a fraction of a pot, a return above deposited − sold; and the warning a settlement shows while
returns or decisions are missing (settling stays allowed). Figures of the ``honey`` fixture: coop-miel deposited
20 pots of honey, sold 5 + 4 + 3 − 1 = 11, took 7 back."""

import html
from datetime import date
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.errors import DomainError, ErrorCode
from sales.consignment import deposits_record, difference_decide, returns_record, stock_questions
from sales.models import Channel, Deposit, Event, Participation, Settlement
from sales.summaries import summarize
from tests.sales import test_consignment
from tests.sales.conftest import TODAY, D
from tests.sales.test_consignment import deposit, take_back

pytestmark = pytest.mark.django_db
honey = test_consignment.honey  # the fixture, for these tests too
GRID = "/sales/events/foire-tanger-2026/consignment/"


def refusal(action: Any) -> DomainError:
    with pytest.raises(DomainError) as refused:
        action()
    return refused.value


def record(kind: Any, fair: dict[str, Any], member: str, on: date, user: Any, **quantities: str) -> int:
    products = fair["products"]
    return int(
        kind(
            event=fair["event"],
            organization=fair[member],
            quantities={products[name].pk: D(q) for name, q in quantities.items()},
            on=on,
            acting_user=user,
        )
    )


# Dates -------------------------------------------------------------------------------------------------------------


def test_a_deposit_or_return_outside_the_fair_is_refused_naming_its_dates(fair: Any, accountant: Any) -> None:
    # the fair runs from 20 to 29 November; a day either side is for setting up and taking down the stand
    early = refusal(lambda: record(deposits_record, fair, "exempt", date(2026, 11, 18), accountant, huile="5"))
    assert early.code == ErrorCode.DEPOSIT_OUTSIDE_DATES
    assert early.message() == (
        "Date refusée : le 18/11/2026 est hors des dates de Foire régionale de Tanger 2026 (du 20/11/2026 au "
        "29/11/2026, un jour avant ou après au plus pour l'installation et le démontage)."
    )
    assert not Deposit.objects.exists()
    assert record(deposits_record, fair, "exempt", date(2026, 11, 19), accountant, huile="5") == 1
    late = refusal(lambda: record(returns_record, fair, "exempt", date(2026, 12, 1), accountant, huile="1"))
    assert late.code == ErrorCode.DEPOSIT_OUTSIDE_DATES
    assert Deposit.objects.get().returned is None
    assert record(returns_record, fair, "exempt", date(2026, 11, 30), accountant, huile="1") == 1


def test_the_permanent_shop_has_no_last_day(fair: dict[str, Any], accountant: Any) -> None:
    shop = Channel.objects.create(slug="boutique", name_fr="Boutique", kind=Channel.Kind.SHOP)
    event = Event.objects.create(channel=shop, slug="boutique-gie", name_fr="Boutique du GIE",
                                 starts_on=date(2026, 3, 1), ends_on=None)  # fmt: skip
    Participation.objects.create(event=event, organization=fair["exempt"])
    huile = fair["products"]["huile"]
    deposits_record(event=event, organization=fair["exempt"], quantities={huile.pk: D("5")}, on=date(2029, 6, 1),
                    acting_user=accountant)  # fmt: skip
    before = refusal(
        lambda: deposits_record(
            event=event,
            organization=fair["exempt"],
            quantities={huile.pk: D("6")},
            on=date(2026, 2, 27),
            acting_user=accountant,
        )
    )
    assert before.message() == (
        "Date refusée : le 27/02/2026 précède l'ouverture de Boutique du GIE (le 01/03/2026, un jour avant au plus "
        "pour l'installation)."
    )
    assert Deposit.objects.get(event=event).deposited == D("5")


def test_the_grid_shows_a_wrong_date_beside_the_date_field(client: Client, accountant: Any, fair: Any) -> None:
    client.force_login(accountant)
    huile = fair["products"]["huile"]
    response = client.post(f"{GRID}coop-olive/deposits/", {"on": "2026-12-05", f"q-{huile.pk}": "4"})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    error = body[body.index('id="grid-on-error"') :]
    assert error.index("le 05/12/2026 est hors des dates") < error.index("</ul>")
    assert body.count("le 05/12/2026 est hors des dates") == 1  # beside the field, not again at the top
    assert "Dates de l'événement : du 20/11/2026 au 29/11/2026" in body
    assert not Deposit.objects.exists()


# Whole numbers -------------------------------------------------------------------------------------------------------


def test_a_pot_is_counted_whole_and_a_litre_takes_decimals(fair: dict[str, Any], accountant: Any) -> None:
    on = date(2026, 11, 20)
    half_pot = refusal(lambda: record(deposits_record, fair, "registered", on, accountant, miel="2.5", amlou="3"))
    assert half_pot.code == ErrorCode.QUANTITY_NOT_WHOLE
    assert half_pot.message() == (
        "Miel de thym 250 g se compte à l'unité (pot) : 2,5 n'est pas un nombre entier. Seuls les produits au kg ou "
        "au litre prennent des décimales."
    )
    assert not Deposit.objects.exists()  # all or nothing: the 3 pots of amlou wait too
    assert record(deposits_record, fair, "exempt", on, accountant, huile="2.5") == 1  # litres
    record(deposits_record, fair, "registered", on, accountant, miel="3")
    carpet = refusal(lambda: record(returns_record, fair, "registered", on, accountant, miel="1.5"))
    assert carpet.code == ErrorCode.QUANTITY_NOT_WHOLE


def test_the_grid_marks_the_fraction_on_its_cell_and_saves_nothing(
    client: Client, accountant: Any, fair: dict[str, Any]
) -> None:
    client.force_login(accountant)
    miel, amlou = fair["products"]["miel"], fair["products"]["amlou"]
    data = {"on": "2026-11-20", f"q-{miel.pk}": "2,5", f"q-{amlou.pk}": "4"}
    body = html.unescape(client.post(f"{GRID}coop-miel/deposits/", data).content.decode())
    cell = body[body.index(f'id="q-{miel.pk}"') :]
    assert cell.index("2,5 n'est pas un nombre entier") < cell.index("</td>")
    assert 'value="2,5"' in cell[: cell.index(">")]  # what was typed stays, marked
    assert 'aria-invalid="true"' in cell[: cell.index(">")]
    assert not Deposit.objects.exists()
    response = client.post(f"{GRID}coop-miel/deposits/", {**data, f"q-{miel.pk}": "3"}, follow=True)
    assert "2 produits mis à jour." in response.content.decode()
    response = client.post(f"{GRID}coop-miel/deposits/", {**data, f"q-{miel.pk}": "5"}, follow=True)
    assert "1 produit mis à jour." in response.content.decode()


# Returns ---------------------------------------------------------------------------------------------------------


def test_a_return_above_deposited_less_sold_is_refused_with_the_figures(honey: dict[str, Any], accountant: Any) -> None:
    # 20 deposited, 11 sold (5 + 4 + 3 − 1): at most 9 can come back; 7 were entered
    too_many = refusal(lambda: take_back(honey, "registered", accountant, miel="10"))
    assert too_many.code == ErrorCode.DEPOSIT_RETURN_ABOVE_LEFT
    assert too_many.message() == (
        "Reprise de Miel de thym 250 g refusée : 10 saisis, mais 20 déposés et 11 vendus : 9 au plus peuvent revenir."
    )
    assert Deposit.objects.get(product=honey["products"]["miel"]).returned == D("7")
    take_back(honey, "registered", accountant, miel="9")
    assert Deposit.objects.get(product=honey["products"]["miel"]).returned == D("9")


def test_the_returns_grid_shows_what_can_come_back(client: Client, accountant: Any, honey: dict[str, Any]) -> None:
    client.force_login(accountant)
    miel, amlou = honey["products"]["miel"], honey["products"]["amlou"]
    body = client.get(f"{GRID}coop-miel/returns/").content.decode()
    assert f'data-most="{miel.pk}">9<' in body  # 20 − 11
    assert f'data-most="{amlou.pk}">0<' in body  # 10 − 10


# Before settling -------------------------------------------------------------------------------------------------


def test_stock_questions_count_missing_returns_and_pending_decisions(honey: dict[str, Any], accountant: Any) -> None:
    event = honey["event"]
    assert stock_questions(event) == (0, 1, 0)  # coop-miel: its returns are in, 2 pots missing wait for a decision
    deposit(honey, "exempt", accountant, huile="5")  # coop-olive deposits, nothing entered back yet
    assert stock_questions(event) == (1, 1, 0)
    assert stock_questions(event, honey["exempt"].pk) == (1, 0, 0)
    assert stock_questions(event, honey["registered"].pk) == (0, 1, 0)
    Event.objects.filter(pk=event.pk).update(ends_on=None)  # a permanent shop keeps its goods on the shelves
    event.refresh_from_db()
    assert stock_questions(event) == (0, 1, 0)


def test_settling_before_the_returns_warns_but_still_settles(
    client: Client, accountant: Any, honey: dict[str, Any]
) -> None:
    event = honey["event"]
    deposit(honey, "exempt", accountant, huile="5")
    summarize(event, today=TODAY)
    client.force_login(accountant)
    page = html.unescape(client.get("/sales/events/foire-tanger-2026/settle/coop-miel/?on=2026-11-30").content.decode())
    warning = page[page.index('id="stock-warning"') :]
    assert "1 manquant attend une décision" in warning
    assert "reprise saisie" not in warning[: warning.index("</div>")]  # coop-miel's returns are all in
    assert 'href="/sales/events/foire-tanger-2026/consignment/#member-coop-miel"' in warning
    everyone = html.unescape(client.get("/sales/events/foire-tanger-2026/settle/?on=2026-11-30").content.decode())
    assert "1 produit déposé n'a pas de reprise saisie" in everyone
    assert "1 manquant attend une décision" in everyone
    # a warning, not a refusal: the preview's figures confirm the settlement
    plan = page[page.index('id="settle-confirm"') :]
    net = plan.split('name="expected_net" value="')[1].split('"')[0]
    takings = plan.split('name="expected_takings" value="')[1].split('"')[0]
    response = client.post(
        "/sales/events/foire-tanger-2026/settle/coop-miel/",
        {"on": "2026-11-30", "expected_net": net, "expected_takings": takings},
    )
    assert response.status_code == 302
    # 600.00 + 1 030.00 + 360.00 − 120.00
    assert Settlement.objects.get(organization=honey["registered"]).takings == D("1870.00")


def test_no_warning_once_consignment_is_done(client: Client, accountant: Any, honey: dict[str, Any]) -> None:
    miel = Deposit.objects.get(product=honey["products"]["miel"])
    difference_decide(deposit_id=miel.pk, decision="member", decided_on=TODAY, acting_user=accountant)
    summarize(honey["event"], today=TODAY)
    client.force_login(accountant)
    page = client.get("/sales/events/foire-tanger-2026/settle/coop-miel/?on=2026-11-30").content.decode()
    assert 'id="stock-warning"' not in page
    assert 'id="settle-confirm"' in page
