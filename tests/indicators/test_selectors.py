"""The director's figures on small worlds worked out by hand (gie_erp/indicators/selectors.py)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gie_erp.fees.models import Key
from gie_erp.fees.services import run_post, run_undo
from gie_erp.indicators import selectors
from gie_erp.indicators.selectors import Figure, Filters
from invoices.parties import party_for_member
from invoices.payments import payment_record
from members.models import Commune, Cooperator, Organization
from sales.models import Channel, Event, Summary, SummaryRun
from tests.factories.members import CooperatorFactory, OrganizationFactory
from tests.fees.conftest import JAN_1, JAN_31, TODAY, fees, pool  # noqa: F401 (fixture)
from tests.invoices.conftest import world  # noqa: F401 (the fees fixture stands on it)
from tests.training.test_reports import small  # noqa: F401 (fixture)

D = Decimal
YEAR_2026 = Filters(date(2026, 1, 1), date(2026, 12, 31))
AGRICULTURE, HANDICRAFT = Organization.Sector.AGRICULTURE, Organization.Sector.HANDICRAFT
F, M = Cooperator.Gender.FEMALE, Cooperator.Gender.MALE


@pytest.fixture
def members(db: Any) -> dict[str, Any]:
    """A: agriculture, women's, since 2020, commune 1: 3 active women, 1 man, 1 woman no longer active.
    B: handicraft, joined 1 March 2026, commune 2: 1 woman, 2 men. C: agriculture, left 30 June 2026: 2 women.
    D: agriculture, women's, joins 10 January 2027: 4 women."""
    commune_1, commune_2 = Commune.objects.order_by("pk")[:2]
    a = OrganizationFactory(slug="a", sector=AGRICULTURE, is_women_cooperative=True, joined_on=date(2020, 5, 1),
                            commune=commune_1)  # fmt: skip
    b = OrganizationFactory(slug="b", sector=HANDICRAFT, joined_on=date(2026, 3, 1), commune=commune_2)
    c = OrganizationFactory(slug="c", sector=AGRICULTURE, joined_on=date(2019, 1, 1), left_on=date(2026, 6, 30),
                            commune=commune_1)  # fmt: skip
    d = OrganizationFactory(slug="d", sector=AGRICULTURE, is_women_cooperative=True, joined_on=date(2027, 1, 10),
                            commune=commune_1)  # fmt: skip
    for organization, women, men in ((a, 3, 1), (b, 1, 2), (c, 2, 0), (d, 4, 0)):
        for _ in range(women):
            CooperatorFactory(organization=organization, gender=F)
        for _ in range(men):
            CooperatorFactory(organization=organization, gender=M)
    CooperatorFactory(organization=a, gender=F, is_active=False)
    return {"a": a, "b": b, "c": c, "d": d, "commune_1": commune_1, "commune_2": commune_2}


def test_membership_in_2026(members: dict[str, Any]) -> None:
    """At 31/12/2026 A and B are members (C left in June, D joins in 2027): 2 active, B joined, C left, one women's
    cooperative (A); cooperators of A and B: 3 + 1 = 4 women, 1 + 2 = 3 men (A's inactive woman and C's apart)."""
    assert selectors.membership(YEAR_2026) == selectors.Membership(
        active=2, joined=1, left=1, women_cooperatives=1, cooperators_women=4, cooperators_men=3
    )
    agriculture = Filters(YEAR_2026.start, YEAR_2026.end, sector=AGRICULTURE)
    assert selectors.membership(agriculture) == selectors.Membership(1, 0, 1, 1, 3, 1)
    women = Filters(YEAR_2026.start, YEAR_2026.end, women_only=True)
    assert selectors.membership(women) == selectors.Membership(1, 0, 0, 1, 3, 1)
    in_2027 = Filters(date(2027, 1, 1), date(2027, 12, 31))
    assert selectors.membership(in_2027) == selectors.Membership(3, 1, 0, 2, 8, 3)  # D joins: A, B, D; 3 + 1 + 4 women


def _summary(run: SummaryRun, organization: Organization, day: date, method: str, amount: str) -> None:
    Summary.objects.create(run=run, event=run.event, day=day, organization=organization, method=method, part=0,
                           posted_on=day, amount=D(amount))  # fmt: skip


def test_sales_through_the_gie_by_month_channel_sector_commune_and_member(members: dict[str, Any]) -> None:
    """2026: A sells 1,200.00 + 300.50 at the fair in March and 99.99 at the shop in July (1,600.49); B 450.00 at
    the fair in March; C's 500.00 at the shop on 31/12/2025 belongs to 2025. Total 2,050.49 by 2 cooperatives:
    March 1,950.50 (2), July 99.99 (1); fairs 1,950.50 (2), shop 99.99 (1); agriculture and commune 1: A's
    1,600.49; handicraft and commune 2: B's 450.00."""
    a, b, c = members["a"], members["b"], members["c"]
    fairs = Channel.objects.create(slug="foires", name_fr="Foires", name_ar="المعارض")
    shop = Channel.objects.create(slug="boutique", kind=Channel.Kind.SHOP, name_fr="Boutique", name_ar="المتجر")
    fair = Event.objects.create(channel=fairs, slug="salon-mars", name_fr="Salon", starts_on=date(2026, 3, 14))
    store = Event.objects.create(channel=shop, slug="boutique", name_fr="Boutique", starts_on=date(2025, 1, 1))
    fair_run, store_run = SummaryRun.objects.create(event=fair), SummaryRun.objects.create(event=store)
    _summary(fair_run, a, date(2026, 3, 14), "cash", "1200.00")
    _summary(fair_run, a, date(2026, 3, 15), "card", "300.50")
    _summary(fair_run, b, date(2026, 3, 14), "cash", "450.00")
    _summary(store_run, a, date(2026, 7, 2), "cash", "99.99")
    _summary(store_run, c, date(2025, 12, 31), "cash", "500.00")
    sales = selectors.sales(YEAR_2026)
    assert sales.total == Figure(D("2050.49"), 2)
    assert sales.by_month == {3: Figure(D("1950.50"), 2), 7: Figure(D("99.99"), 1)}
    assert sales.by_channel == {"boutique": Figure(D("99.99"), 1), "foires": Figure(D("1950.50"), 2)}
    assert sales.channel_names["boutique"] == ("Boutique", "المتجر")
    assert sales.by_sector == {AGRICULTURE: Figure(D("1600.49"), 1), HANDICRAFT: Figure(D("450.00"), 1)}
    assert sales.by_commune == {
        members["commune_1"].pk: Figure(D("1600.49"), 1),
        members["commune_2"].pk: Figure(D("450.00"), 1),
    }
    assert sales.by_member == {a.pk: Figure(D("1600.49"), 1), b.pk: Figure(D("450.00"), 1)}
    last_year = selectors.sales(YEAR_2026.previous_year())
    assert last_year.total == Figure(D("500.00"), 1)
    handicraft = selectors.sales(Filters(YEAR_2026.start, YEAR_2026.end, sector=HANDICRAFT))
    assert handicraft.total == Figure(D("450.00"), 1)


def test_fees_result_and_outstanding_invoices(fees: dict[str, Any]) -> None:  # noqa: F811
    """The 10,000.00 equal pool of January split among olive, miel and tapis: 3,333.34 + 3,333.33 + 3,333.33 HT,
    each with 20 % VAT on its rounded share (666.67): 4,000.01 + 4,000.00 + 4,000.00 TTC outstanding. The GIE's
    January result is its 7124 revenue: 10,000.00. Miel pays its 4,000.00: two invoices, 8,000.01 left. The run
    undone on 5 February: the credit notes take the fees of 2026 back to 0.00 (January +10,000.00, February
    −10,000.00), and nothing is outstanding."""
    f = fees
    equal = pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"))
    run = run_post(pool=equal, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    january = Filters(JAN_1, JAN_31)
    charged = selectors.fees(january)
    assert charged.charged == Figure(D("10000.00"), 3)
    assert charged.by_month == {1: D("10000.00")}
    assert selectors.gie_result(january) == D("10000.00")
    assert selectors.outstanding(january) == selectors.Outstanding(3, D("12000.01"), 3)
    miel = run.shares.get(organization=f["registered"]).document
    assert miel is not None
    payment_record(
        payer=party_for_member(organization=f["registered"]), collected_by=f["gie"], received_on=date(2026, 2, 4),
        method="transfer", amount=D("4000.00"), idempotency_key="miel-pays", documents=[miel], today=TODAY,
    )  # fmt: skip
    assert selectors.outstanding(january) == selectors.Outstanding(2, D("8000.01"), 2)
    run_undo(run=run, reason="clé changée", acting_user=f["staff"], today=TODAY)
    year = selectors.fees(YEAR_2026)
    assert year.by_month == {1: D("10000.00"), 2: D("-10000.00")}
    assert year.charged.amount == D("0.00")
    assert selectors.outstanding(YEAR_2026).invoices == 0


def test_training_participants_hours_and_age_bands(small: dict[str, Any]) -> None:  # noqa: F811
    """The training reports' world (tests/training/test_reports.py): five people — W1, W2, W3, M1, M2 — in two
    sessions, 24 hours. Alpha alone (made a handicraft cooperative): W1 (9 h), W2 (3 h), M2 (6 h) = 18 hours."""
    everyone = selectors.training(YEAR_2026, small["staff"])
    assert (everyone.participants_women, everyone.participants_men) == (3, 2)
    assert everyone.hours == D("24.00")
    assert (everyone.sessions, everyone.cooperatives) == (2, 2)
    assert everyone.by_age_band == {"under_25": 1, "25_34": 1, "35_44": 1, "45_54": 0, "55_plus": 1, "unknown": 1}
    Organization.objects.filter(pk=small["alpha"].pk).update(sector=HANDICRAFT)
    alpha = selectors.training(Filters(YEAR_2026.start, YEAR_2026.end, sector=HANDICRAFT), small["staff"])
    assert (alpha.participants_women, alpha.participants_men, alpha.hours) == (2, 1, D("18.00"))
    assert alpha.by_age_band == {"under_25": 1, "25_34": 1, "35_44": 1, "45_54": 0, "55_plus": 0, "unknown": 0}


def test_previous_year_keeps_the_period_and_the_filters() -> None:
    leap = Filters(date(2028, 2, 1), date(2028, 2, 29), sector=AGRICULTURE, women_only=True)
    assert leap.previous_year() == Filters(date(2027, 2, 1), date(2027, 2, 28), sector=AGRICULTURE, women_only=True)
