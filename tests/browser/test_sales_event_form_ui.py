"""The event form with the keyboard only (issue 12, round 2): Ctrl+Enter (Cmd+Enter on a Mac) saves from any field,
the members' text area included, where a plain Enter still starts a new line; Enter in a one-line field moves to
the next field. Also: no page of the sales app asks for a favicon it does not have (a 404 in the console)."""

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser

from sales.models import Event
from tests.browser.kit import PASSWORD, login
from tests.factories.members import UserFactory
from tests.sales.conftest import fair, world  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("modifier", ["Control", "Meta"])
def test_ctrl_enter_saves_from_the_members_text_area(
    browser: Browser,
    live_server: Any,
    fair: dict[str, Any],  # noqa: F811 (the fixture)
    modifier: str,
) -> None:
    UserFactory(username="compta-clavier", role="gie_accountant", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    login(page, live_server.url, "compta-clavier")
    page.goto(f"{live_server.url}/sales/events/foire-tanger-2026/edit/")
    stands = page.locator("textarea[name=stands]")
    stands.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("coop-olive ; A1")
    page.keyboard.press("Enter")  # a new line, not a save nor the next field
    page.keyboard.type("coop-miel ; B2")
    page.keyboard.press("Enter")
    page.keyboard.type("coop-tapis ; D4")
    assert "/edit/" in page.url
    assert stands.input_value() == "coop-olive ; A1\ncoop-miel ; B2\ncoop-tapis ; D4"
    with page.expect_navigation():
        page.keyboard.press(f"{modifier}+Enter")
    assert page.url.endswith("/sales/events/foire-tanger-2026/")
    assert "Événement enregistré." in page.inner_text("body")
    assert Event.objects.get(slug="foire-tanger-2026").participations.get(organization__slug="coop-tapis").stand == "D4"
    assert not missing, missing
    context.close()
