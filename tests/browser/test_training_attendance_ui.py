"""The trainer takes attendance on a 390 px phone in Arabic, in Debian's chromium: big names (Arabic first), one tap
per person with a ✓/✗ sign, a counter; the marks survive a reload while the network drops every send, and only the
server's answer turns the status to saved."""

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, Route, expect

from tests.browser.kit import PASSWORD, login, shot
from tests.invoices.conftest import world  # noqa: F401 (the fixture the training world builds on)
from tests.training.conftest import ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.models import Attendance
from training.services import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
#: every person's card inside the viewport (nothing spills sideways in right-to-left)
CARDS_INSIDE = """() => [...document.querySelectorAll('.att-person')].filter((card) => {
  const box = card.getBoundingClientRect();
  return box.left < -0.5 || box.right > document.documentElement.clientWidth + 0.5;
}).length"""


def test_the_trainer_takes_attendance_on_a_phone_in_arabic_through_a_reload(
    browser: Browser,
    live_server: Any,
    training: dict[str, Any],  # noqa: F811
) -> None:
    t = training
    trainer = t["trainer_user"]
    trainer.set_password(PASSWORD)
    trainer.preferred_language = "ar"
    trainer.save()
    seated = [
        enrol(session=t["session"], cooperator=c, on=ENROLLED_ON, acting_user=t["staff"])
        for c in people(t["exempt"], 4, "O")
    ]
    half_day = t["half_days"][0]
    url = f"{live_server.url}/training/sessions/{t['session'].slug}/attendance/{half_day.pk}/"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-MA", has_touch=True)
    page = context.new_page()
    login(page, live_server.url, trainer.username)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    cards = page.locator(".att-person")
    expect(cards).to_have_count(4)
    first = cards.nth(0)
    assert first.locator(".att-first").inner_text().strip() == "فاطمة العمراني"  # Arabic first, French below
    assert first.locator(".att-second").inner_text().strip().startswith("O")
    assert first.locator(".att-first").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 22
    assert first.evaluate("e => e.getBoundingClientRect().height") >= 64  # a big target

    # the network drops every send from now on (the page itself still loads)
    def drop(route: Route) -> None:
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(url, drop)
    cards.nth(0).tap()
    cards.nth(2).tap()
    expect(page.locator("#present-count")).to_have_text("2")
    assert first.locator(".att-sign").evaluate("e => getComputedStyle(e, '::before').content") == '"✓"'
    assert cards.nth(1).locator(".att-sign").evaluate("e => getComputedStyle(e, '::before').content") == '"✗"'
    expect(page.locator("#save-status")).to_have_attribute("data-kind", "unsent")
    page.locator("#att-save").tap()
    expect(page.locator("#save-status")).to_have_attribute("data-kind", "offline")
    assert not Attendance.objects.exists()

    # a reload on the poor network: the marks are back from the phone, still not sent
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#present-count")).to_have_text("2")
    checked = page.locator('input[name="present"]:checked')
    expect(checked).to_have_count(2)
    assert {checked.nth(i).get_attribute("value") for i in range(2)} == {str(seated[0].pk), str(seated[2].pk)}
    expect(page.locator("#save-status")).not_to_have_attribute("data-kind", "saved")
    assert not Attendance.objects.exists()
    width, client = page.evaluate(PAGE_WIDTH)
    assert width <= client + 1, f"the page scrolls sideways ({width} > {client})"
    assert page.evaluate(CARDS_INSIDE) == 0
    shot(page, "training-attendance-ar-390-unsent")

    # the network is back: Save, and the status says saved only once the server has the marks
    page.unroute(url)
    page.locator("#att-save").tap()
    expect(page.locator("#save-status")).to_have_attribute("data-kind", "saved")
    assert Attendance.objects.filter(half_day=half_day).count() == 4  # every seated trainee marked, 2 present
    present = set(Attendance.objects.filter(half_day=half_day, present=True).values_list("enrolment_id", flat=True))
    assert present == {seated[0].pk, seated[2].pk}
    shot(page, "training-attendance-ar-390-saved")

    # a reload now shows the server's marks and nothing left to send
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator('input[name="present"]:checked')).to_have_count(2)
    stored = page.evaluate(f"localStorage.getItem('training.attendance.{trainer.pk}.{half_day.pk}')")
    assert '"unsent":false' in stored
    context.close()
