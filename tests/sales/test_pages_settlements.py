"""What the pages say is still due and what a settlement kept (issue 12, user pass): the event page's « Reste à
régler » per member is ``due_for`` (0,00 when nothing is due), read for every member at once; the commission kept
is said to include VAT; missing goods the GIE paid show where they were paid.

Figures of the ``honey`` fixture: coop-miel sold 600.00 + 1 030.00 + 360.00 − 120.00 = 1 870.00 TTC; 2 pots of
honey are missing, paid by the GIE at 120.00: 240.00. Settled on 30/11/2026 at 10 % of the TTC: commission HT
187.00, VAT 37.40, TTC 224.40; net 1 870.00 + 240.00 − 224.40 = 1 885.60."""

import html
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sales.consignment import difference_decide
from sales.models import Deposit, Participation, Settlement
from sales.selectors import dues_for
from sales.settlements import due_for, settle
from sales.summaries import summarize
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.sales import test_consignment
from tests.sales.conftest import TODAY, D

pytestmark = pytest.mark.django_db
honey = test_consignment.honey  # the fixture, for these tests too
EVENT = "/sales/events/foire-tanger-2026/"


def amt(text: str) -> str:
    return text.replace(" ", "\u202f")


def dues_column(body: str) -> dict[str, str]:
    """Each member row's last cell (« Reste à régler »), keyed by the member's short name."""
    table = body[body.index('id="event-members"') : body.index("</table>", body.index('id="event-members"'))]
    dues = {}
    for row in table.split('<tr data-slug="')[1:]:
        slug = row[: row.index('"')]
        last = row[row.rindex('<td class="num') : row.index("</tr>")]
        dues[slug] = html.unescape(last.split(">", 1)[1]).replace('<span class="amount" dir="ltr">', "")
    return dues


@pytest.fixture
def paid(honey: dict[str, Any], accountant: Any) -> dict[str, Any]:
    miel = Deposit.objects.get(product=honey["products"]["miel"])
    difference_decide(deposit_id=miel.pk, decision="gie", decided_on=TODAY, acting_user=accountant, today=TODAY)
    summarize(honey["event"], today=TODAY)
    return honey


def test_the_event_page_shows_what_is_left_due_per_member(
    client: Client, accountant: Any, paid: dict[str, Any]
) -> None:
    client.force_login(accountant)
    dues = dues_column(client.get(EVENT).content.decode())
    # coop-miel: its summarized sales and the 2 missing pots the GIE pays; the others are owed nothing
    assert dues["coop-miel"].startswith(amt("2 110,00"))
    assert dues["coop-olive"].startswith("0,00")
    assert dues["coop-tapis"].startswith("0,00")
    settle(paid["event"], paid["registered"], on=TODAY, today=TODAY)
    assert dues_column(client.get(EVENT).content.decode())["coop-miel"].startswith("0,00")
    member = client.get(f"{EVENT}members/coop-miel/").content.decode()
    assert 'id="member-left"><span class="amount" dir="ltr">0,00</span>' in member


def test_the_batch_read_agrees_with_due_for(paid: dict[str, Any]) -> None:
    event = paid["event"]
    members = {paid["exempt"].pk: paid["exempt"], paid["registered"].pk: paid["registered"],
               paid["tapis"].pk: paid["tapis"]}  # fmt: skip
    assert dues_for(event) == {pk: due_for(event, member) for pk, member in members.items()}
    assert dues_for(event)[paid["registered"].pk] == D("2110.00")
    settle(event, paid["registered"], on=TODAY, today=TODAY)
    assert dues_for(event) == {pk: due_for(event, member) for pk, member in members.items()}
    assert set(dues_for(event).values()) == {D("0.00")}


def test_the_event_page_reads_the_dues_in_the_same_queries_for_any_number_of_members(
    client: Client, accountant: Any, paid: dict[str, Any]
) -> None:
    client.force_login(accountant)
    client.get(EVENT)  # warm caches (session, content types)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(EVENT).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for number in range(5):
        Participation.objects.create(event=paid["event"], organization=OrganizationFactory(), stand=f"Z{number}")
    assert queries() == before


def test_settlement_pages_say_the_commission_includes_vat_and_show_missing_goods(
    client: Client, accountant: Any, paid: dict[str, Any]
) -> None:
    settlement = settle(paid["event"], paid["registered"], on=TODAY, today=TODAY)
    assert (settlement.differences, settlement.net_paid) == (D("240.00"), D("1885.60"))
    client.force_login(accountant)
    listing = html.unescape(client.get("/sales/settlements/").content.decode())
    assert "Commission TTC retenue" in listing
    assert "Commission retenue" not in listing
    assert "Marchandise manquante payée par le GIE" in listing
    row = listing[listing.index(f'data-id="{settlement.pk}"') :]
    row = row[: row.index("</tr>")]
    for figure in ("1 870,00", "240,00", "224,40", "1 885,60"):
        assert amt(figure) in row, figure
    detail = html.unescape(client.get(f"/sales/settlements/{settlement.pk}/").content.decode())
    assert amt("240,00") in detail[detail.index('id="settlement-differences"') :][:200]
    commission = detail[detail.index('id="settlement-commission"') :][:400]
    for figure in ("224,40", "187,00", "37,40"):  # TTC, then HT + VAT
        assert figure in commission, figure
    export = client.get("/sales/settlements/?export=csv").content.decode("utf-8-sig").splitlines()
    assert "Commission TTC retenue" in export[0]
    assert "Marchandise manquante payée par le GIE" in export[0]
    assert ",240.00," in export[1]
    assert ",224.40," in export[1]


def test_the_portal_shows_the_missing_goods_and_the_commission_with_its_vat(
    client: Client, paid: dict[str, Any]
) -> None:
    settlement = settle(paid["event"], paid["registered"], on=TODAY, today=TODAY)
    client.force_login(RepresentativeFactory(username="rep-nahla", organization=paid["registered"]))
    note = html.unescape(client.get(f"/portal/sales/settlements/{settlement.pk}/").content.decode())
    assert amt("240,00") in note[note.index('id="note-differences"') :][:600]
    commission = note[note.index('id="note-commission"') :][:600]
    assert "Commission du GIE (TTC)" in commission  # as the printed note words it
    assert "224,40" in commission
    event = html.unescape(client.get("/portal/sales/foire-tanger-2026/").content.decode())
    assert "Marchandise manquante payée par le GIE" in event
    kept = event[event.index('id="sales-kept"') :][:600]
    assert "commission TTC et factures" in kept
    assert "224,40" in kept  # 1 870.00 + 240.00 − 1 885.60
    assert Settlement.objects.count() == 1
