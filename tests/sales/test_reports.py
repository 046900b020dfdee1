"""Sales reports equal the tickets to the centime (figures of ``tests/sales/sold.py``, worked out by hand), whatever
the grouping; the drill-down lists the lines behind a row; XLSX and CSV exports carry the same figures, as numbers,
with no live formula; ``sales_export`` writes one row per ticket line."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from gie_erp.core.roles import Role
from sales import selectors
from sales.consignment import deposits_record
from sales.models import Event, Product
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.sales.conftest import D, ticket
from tests.sales.sold import sell

pytestmark = pytest.mark.django_db


def amt(text: str) -> str:
    return text.replace(" ", "\u202f")


@pytest.fixture
def staff(client: Client, fair: dict[str, Any]) -> Client:
    client.force_login(UserFactory(username="compta-rapports", role=Role.GIE_ACCOUNTANT))
    return client


def rows_of(user: Any, group: str, **filters: Any) -> dict[str, tuple[Any, ...]]:
    wanted = selectors.SalesFilter(**filters)
    rows = selectors.sales_rows(selectors.lines_for(user, wanted), selectors.shares_for(user, wanted), group)
    return {row.param: (row.tickets, row.quantity, row.amount, row.vat) for row in rows}


def test_every_grouping_adds_up_to_the_tickets(fair: dict[str, Any]) -> None:
    sell(fair)
    user = UserFactory(role=Role.AUDITOR)
    event = fair["event"].pk
    assert rows_of(user, "member", event_id=event) == {
        "coop-olive": (1, None, D("160.00"), D("0.00")),  # T1's two oils
        "coop-miel": (3, None, D("415.00"), D("65.00")),  # 120 + 55 + 360 − 120; VAT 20 + 5 + 60 − 20
        "coop-tapis": (1, None, D("450.00"), D("0.00")),
    }
    assert rows_of(user, "product", event_id=event) == {
        "2000000000015": (1, D("2.000"), D("160.00"), D("0.00")),  # huile
        "2000000000022": (3, D("3.000"), D("360.00"), D("60.00")),  # miel: 1 + 3 − 1
        "2000000000039": (1, D("1.000"), D("55.00"), D("5.00")),  # amlou
        "2000000000046": (1, D("1.000"), D("450.00"), D("0.00")),  # tapis
    }
    assert rows_of(user, "day", event_id=event) == {
        "2026-11-21": (2, None, D("785.00"), D("25.00")),  # 335 + 450
        "2026-11-22": (2, None, D("240.00"), D("40.00")),  # 360 − 120
    }
    assert rows_of(user, "method", event_id=event) == {
        "card": (1, None, D("100.00"), D("0.00")),
        "cash": (3, None, D("475.00"), D("0.00")),  # 235 + 360 − 120
        "mobile": (1, None, D("450.00"), D("0.00")),
    }
    assert rows_of(user, "event") == {"foire-tanger-2026": (4, None, D("1025.00"), D("65.00"))}
    # filters: one member, one day
    assert rows_of(user, "method", organization_id=fair["registered"].pk, date_from=date(2026, 11, 22)) == {
        "cash": (2, None, D("240.00"), D("0.00"))
    }


def test_a_representative_reads_only_its_own_lines(fair: dict[str, Any]) -> None:
    sell(fair)
    rep = RepresentativeFactory(organization=fair["registered"])
    assert set(rows_of(rep, "member")) == {"coop-miel"}
    assert rows_of(rep, "method") == {"card": (1, None, D("52.24"), D("0.00")), "cash": (3, None, D("362.76"),
                                      D("0.00"))}  # fmt: skip  # 122.76 + 360 − 120
    assert not selectors.lines_for(UserFactory(role=Role.TRAINER)).exists()


def test_the_report_page_opens_on_the_current_event(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    body = staff.get("/sales/reports/").content.decode()
    assert '<option value="foire-tanger-2026" selected>' in body
    assert amt("1 025,00") in body
    assert 'id="report-tickets">4<' in body
    by_day = staff.get("/sales/reports/?event=foire-tanger-2026&group=day").content.decode()
    assert amt("785,00") in by_day
    assert amt("240,00") in by_day
    # the row drills down to its lines: 22 Nov has T3 and T4
    assert "/sales/reports/lines/?event=foire-tanger-2026&amp;day=2026-11-22" in by_day.replace("&amp;member=", "")


def test_the_lines_behind_a_day(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    body = staff.get("/sales/reports/lines/?event=foire-tanger-2026&day=2026-11-22").content.decode()
    assert "2 lignes" in body
    assert amt("240,00") in body
    assert "remboursement" in body


@pytest.mark.parametrize(
    "query",
    ["?start=2026-13-45", "?start=0001-01-01", "?end=2026-11-01&start=2026-11-30", "?event=nope", "?member=x",
     "?product=%3Dcmd", "?group=evil", "?day=not-a-day", "?page=abc", "?export=pdf"],
)  # fmt: skip
def test_odd_filters_say_what_is_wrong_and_never_break(staff: Client, fair: dict[str, Any], query: str) -> None:
    for url in ("/sales/reports/", "/sales/reports/lines/", "/sales/reports/stock/"):
        assert staff.get(url + query).status_code == 200, url + query


def test_xlsx_and_csv_carry_the_figures_as_numbers(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    response = staff.get("/sales/reports/?event=foire-tanger-2026&group=member&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Membre", "Nom court", "Tickets", "Ventes TTC", "TVA", "Ventes HT"]
    by_slug = {row[1]: row for row in values[1:]}
    assert by_slug["coop-miel"][2:] == [3, Decimal("415.00"), Decimal("65.00"), Decimal("350.00")]
    lines = staff.get("/sales/reports/lines/?event=foire-tanger-2026&export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(lines)))
    assert len(rows) == 1 + 6  # T1 has 3 lines, T2–T4 one each
    assert sum(Decimal(row[14]) for row in rows[1:]) == Decimal("1025.00")


def test_a_name_that_looks_like_a_formula_is_written_as_text(staff: Client, fair: dict[str, Any]) -> None:
    evil = Product.objects.create(organization=fair["exempt"], code="evil", scan_code="2000000000053",
                                  name_fr='=HYPERLINK("http://x","y")', price=D("10.00"))  # fmt: skip
    from sales.tickets import tickets_ingest
    from tests.sales.sold import NOW

    tickets_ingest([ticket(fair["event"], [(evil, "1", "10.00")], [("cash", "10.00")], sequence=1)],
                   device=fair["device"], now=NOW)  # fmt: skip
    body = staff.get("/sales/reports/lines/?event=foire-tanger-2026&export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    response = staff.get("/sales/reports/?event=foire-tanger-2026&group=product&export=xlsx")
    cell = load_workbook(io.BytesIO(response.content)).active["A2"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


def test_stock_per_event(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    deposits_record(event=fair["event"], organization=fair["registered"],
                    quantities={fair["products"]["miel"].pk: D("10"), fair["products"]["amlou"].pk: D("4")},
                    on=date(2026, 11, 19), acting_user=None)  # fmt: skip
    body = staff.get("/sales/reports/stock/?event=foire-tanger-2026&member=coop-miel").content.decode()
    stock = body[body.index('id="stock"') :]
    # miel: 10 deposited, 3 sold (1 + 3 − 1), not yet returned; amlou: 4 deposited, 1 sold
    assert '<td class="num">10</td><td class="num">3</td>' in stock
    assert '<td class="num">4</td><td class="num">1</td>' in stock
    assert "Huile" not in stock
    export = staff.get("/sales/reports/stock/?event=foire-tanger-2026&export=csv").content.decode("utf-8-sig")
    assert "miel-250" in export
    assert "huile-1l" in export


def test_sales_export_writes_one_row_per_ticket_line(fair: dict[str, Any], tmp_path: Path) -> None:
    sell(fair)
    target = tmp_path / "lines.csv"
    out = io.StringIO()
    call_command("sales_export", "--event", "foire-tanger-2026", "--csv", str(target), stdout=out)
    assert "6 line(s)" in out.getvalue()
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 6
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("1025.00")
    assert sum(Decimal(r["vat"]) for r in rows) == Decimal("65.00")
    refund = next(r for r in rows if r["refund_of"])
    assert (refund["member"], refund["quantity"], refund["amount"]) == ("coop-miel", "-1.000", "-120.00")
    with pytest.raises(CommandError):
        call_command("sales_export", "--event", "nope", "--csv", str(target))
    assert Event.objects.count() == 1
