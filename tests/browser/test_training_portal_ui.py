"""A cooperative's representative enrols a cooperator on a 390 px phone in Arabic: the open session with its course's
pictogram and seats left, one tap on a name, one big button; the enrolment then shows in its list, nothing of another
cooperative's, and the page never scrolls sideways. The same pages at 1366 px in French.

Playwright drives Debian's chromium against the live test server; screenshots land in artifacts/screenshots/."""

import os
from datetime import timedelta
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser.kit import PASSWORD, login, shot
from tests.factories.members import CooperatorFactory, UserFactory
from training.models import Course, Enrolment, HalfDay, Session, Theme
from training.services import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def open_session(coop_a: Any, coop_b: Any) -> dict[str, Any]:
    today = timezone.localdate()
    theme = Theme.objects.create(slug="hygiene", name_fr="Hygiène", name_ar="النظافة")
    course = Course.objects.create(
        theme=theme, slug="hygiene-lait", title_fr="Hygiène du lait", title_ar="نظافة الحليب", duration_hours=6,
        pictogram="basket",
    )  # fmt: skip
    session = Session.objects.create(
        course=course, slug="lait-2026", starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=11),
        place="Salle communale de Tétouan", capacity=3, enrolment_deadline=today + timedelta(days=5),
        state=Session.State.OPEN,
    )  # fmt: skip
    HalfDay.objects.create(session=session, day=session.starts_on, part="am")
    amina = CooperatorFactory(
        organization=coop_a, first_name_fr="Amina", last_name_fr="Alaoui", full_name_ar="أمينة العلوي"
    )
    CooperatorFactory(organization=coop_a, first_name_fr="Zineb", last_name_fr="Amrani", full_name_ar="زينب العمراني")
    CooperatorFactory(
        organization=coop_a,
        first_name_fr="Fatima-Zahra",
        last_name_fr="Ouazzani Chahdi",
        full_name_ar="فاطمة الزهراء الوزاني الشهدي",
    )
    other = CooperatorFactory(
        organization=coop_b, first_name_fr="Badia", last_name_fr="Bennis-B", full_name_ar="بديعة بنيس"
    )
    rep_b = UserFactory(username="rep-b", role="coop_representative", organization=coop_b, password=PASSWORD)
    enrol(session=session, cooperator=other, on=today, acting_user=rep_b)
    rep = UserFactory(
        username="rep-a", role="coop_representative", organization=coop_a, password=PASSWORD, preferred_language="ar"
    )
    return {"session": session, "amina": amina, "rep": rep}


def test_a_representative_enrols_a_cooperator_on_a_390px_phone_in_arabic(
    browser: Browser, live_server: Any, open_session: dict[str, Any]
) -> None:
    session, amina = open_session["session"], open_session["amina"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page = context.new_page()
    login(page, live_server.url, "rep-a")
    page.goto(f"{live_server.url}/portal/training/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    offer = page.locator(f'#offers li[data-slug="{session.slug}"]')
    expect(offer).to_contain_text("نظافة الحليب")
    expect(offer.locator(".seats")).to_have_text("2")  # 3 seats, one taken by another cooperative
    assert offer.locator("svg.pict").count() == 1  # the course's pictogram
    shot(page, "training-portal-ar-390")
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width
    offer.locator("a.op-label").tap()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#portal-training-session")).to_be_visible()
    assert "Bennis-B" not in page.content()
    assert "بديعة" not in page.content()
    tile = page.locator(f'label.name-tile[data-cooperator="{amina.pk}"]')
    expect(tile).to_contain_text("أمينة العلوي")
    box = tile.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a finger's target
    tile.tap()
    expect(tile.locator("input")).to_be_checked()
    button = page.locator("#enrol-submit")
    button_box = button.bounding_box()
    assert button_box is not None
    assert button_box["height"] >= 44
    shot(page, "training-portal-session-ar-390")
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width
    button.tap()
    page.wait_for_load_state("networkidle")
    trainee = page.locator("#trainees li.trainee").first
    expect(trainee).to_contain_text("أمينة العلوي")
    expect(trainee).to_have_attribute("data-state", "enrolled")
    expect(page.locator("#seats-left .seats")).to_have_text("1")
    assert page.locator(f'label.name-tile[data-cooperator="{amina.pk}"]').count() == 0  # enrolled: no longer offered
    shot(page, "training-portal-enrolled-ar-390")
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width
    enrolment = Enrolment.objects.get(session=session, cooperator=amina)
    assert enrolment.state == Enrolment.State.ENROLLED
    assert enrolment.created_by == open_session["rep"]
    context.close()


def test_the_training_portal_at_1366px_in_french(
    browser: Browser, live_server: Any, open_session: dict[str, Any]
) -> None:
    session = open_session["session"]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "url": live_server.url}])
    page = context.new_page()
    login(page, live_server.url, "rep-a")
    page.goto(f"{live_server.url}/portal/training/{session.slug}/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_contain_text("Hygiène du lait")
    shot(page, "training-portal-session-fr-1366")
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width
    context.close()
