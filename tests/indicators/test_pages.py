"""The director's dashboard: who may open it, what it shows (the figures of test_selectors' worlds), its exports."""

import io
from datetime import date
from typing import Any

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gie_erp.core.roles import Role
from sales.models import Channel, Event, SummaryRun
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.indicators.test_selectors import _summary, members  # noqa: F401 (fixture)


def test_the_dashboard_shows_the_year_against_the_last_and_exports_each_table(
    client: Client,
    members: dict[str, Any],  # noqa: F811
) -> None:
    """2026: A and B are members (2), against 2 in 2025 (A and C); A sells 1,200.00 at the March fair."""
    fairs = Channel.objects.create(slug="foires", name_fr="Foires", name_ar="المعارض")
    fair = Event.objects.create(channel=fairs, slug="salon", name_fr="Salon", starts_on=date(2026, 3, 14))
    _summary(SummaryRun.objects.create(event=fair), members["a"], date(2026, 3, 14), "cash", "1200.00")
    client.force_login(UserFactory(username="directrice", role=Role.GIE_ADMIN))
    page = client.get("/indicators/", {"year": "2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-members"' in body
    kpi = body[body.index('id="kpi-members"') : body.index('id="kpi-women_cooperatives"')]
    assert '<bdi dir="ltr">2</bdi>' in kpi
    assert "Année précédente" in kpi
    assert "1\u202f200,00" in body
    assert 'id="region-map"' in body
    assert body.count("<path ") == 146
    by_sales = client.get("/indicators/", {"year": "2026", "measure": "sales"}).content.decode()
    legend = by_sales[by_sales.index('id="map-legend"') : by_sales.index('id="map-table"')]
    assert "1\u202f200,00" in legend
    assert " – " not in legend  # one commune, one figure: not "1 200,00 – 1 200,00"
    # the map chosen alone: the form shows the year the page reads (today's), not an empty year field
    alone = client.get("/indicators/", {"measure": "sales"}).content.decode()
    assert f'name="year" value="{timezone.localdate().year}"' in alone
    export = client.get("/indicators/", {"year": "2026", "export": "xlsx", "table": "sales_by_sector"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Secteur", "Montant TTC")
    assert rows[1][1] == 1200
    assert client.get("/indicators/", {"export": "xlsx", "table": "nope"}).status_code == 404
    figures = client.get("/indicators/", {"year": "2026", "export": "csv"}).content.decode("utf-8-sig")
    assert figures.splitlines()[0] == "Indicateur,Période,Année précédente,Évolution (%)"
    assert "Coopératives membres,2,2,0.0" in figures


def test_bad_filters_are_said_and_the_page_still_answers(client: Client, db: Any) -> None:
    client.force_login(UserFactory(username="auditrice", role=Role.AUDITOR))
    for query in ({"year": "99999"}, {"start": "2026-05-01", "end": "2026-04-01"}, {"commune": "abc"},
                  {"year": "x"}, {"sector": "<script>"}):  # fmt: skip
        page = client.get("/indicators/", query)
        assert page.status_code == 200, query
        assert 'role="alert"' in page.content.decode(), query


def test_representatives_and_trainers_may_not_open_it(client: Client, members: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(RepresentativeFactory(username="rep-a", organization=members["a"]))
    assert client.get("/indicators/").status_code == 403
    client.force_login(UserFactory(username="formatrice", role=Role.TRAINER))
    assert client.get("/indicators/").status_code == 403
