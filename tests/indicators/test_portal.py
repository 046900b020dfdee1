"""A member's own figures in the portal, next to its sector's average from five members up; never another member's
figures (gie_erp/web/portal_figures.py, indicators.member_figures)."""

from datetime import date
from typing import Any

from django.conf import settings
from django.test import Client

from members.models import Organization
from sales.models import Channel, Event, SummaryRun
from tests.factories.members import OrganizationFactory, RepresentativeFactory, UserFactory
from tests.indicators.test_selectors import AGRICULTURE, _summary, members  # noqa: F401 (fixture)


def _fair_sales(sold: dict[Organization, str]) -> None:
    fairs = Channel.objects.create(slug="foires", name_fr="Foires", name_ar="المعارض")
    fair = Event.objects.create(channel=fairs, slug="salon", name_fr="Salon", starts_on=date(2026, 3, 14))
    run = SummaryRun.objects.create(event=fair)
    for organization, amount in sold.items():
        _summary(run, organization, date(2026, 3, 14), "cash", amount)


def test_below_five_members_the_sector_average_is_hidden(client: Client, members: dict[str, Any]) -> None:  # noqa: F811
    """Agriculture has A alone at the end of 2026 (C left, D joins in 2027): no average."""
    _fair_sales({members["a"]: "1200.00"})
    client.force_login(RepresentativeFactory(username="rep-a", organization=members["a"]))
    body = client.get("/portal/figures/", {"year": "2026"}).content.decode()
    assert "1\u202f200,00" in body
    assert "Moyenne du secteur" not in body
    assert "qu'à partir de 5 membres" in body


def test_from_five_members_the_average_shows_and_no_other_figure(client: Client, members: dict[str, Any]) -> None:  # noqa: F811
    """Four more agriculture members since 2020: five active. A sells 1,200.00, E 450.00, the others nothing:
    the average is (1,200.00 + 450.00) / 5 = 330.00; E's 450.00 never shows on A's page."""
    more = [OrganizationFactory(slug=f"e{n}", sector=AGRICULTURE, joined_on=date(2020, 1, 1)) for n in range(4)]
    _fair_sales({members["a"]: "1200.00", more[0]: "450.00"})
    client.force_login(RepresentativeFactory(username="rep-a", organization=members["a"]))
    body = client.get("/portal/figures/", {"year": "2026"}).content.decode()
    assert "1\u202f200,00" in body
    assert "330,00" in body
    assert "(5 membres)" in body
    assert "450,00" not in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.get("/portal/figures/", {"year": "abc"}).content.decode()  # a bad year: this year
    assert "متوسط القطاع" in arabic


def test_staff_do_not_use_the_portal_page(client: Client, db: Any) -> None:
    client.force_login(UserFactory(username="comptable-x", role="gie_accountant"))
    assert client.get("/portal/figures/").status_code == 403
