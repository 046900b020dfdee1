"""The statements pages as an accountant sees them: Playwright driving Debian's chromium against the live server.

Screenshots land in artifacts/screenshots/ (git-ignored) for a human look.
"""

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from playwright.sync_api import Browser, Locator, Page, Response, expect

from gie_erp.statements.models import StatementBatch
from ledger.books import book_ensure
from tests.browser.kit import PASSWORD, login, shot
from tests.factories.members import UserFactory
from tests.ledger.conftest import cr, dr, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accountant_page(
    browser: Browser, live_server: Any, coop_a: Any, coop_b: Any, gie: Any, settings: Any, tmp_path: Any
) -> Iterator[Page]:
    """A logged-in accountant on a desktop-sized window; cooperatives A and B have a March to print."""
    settings.MEDIA_ROOT = tmp_path / "media"  # PDFs of batches never go into var/
    book_ensure(organization=gie)
    for coop, amount in ((coop_a, "5000.00"), (coop_b, "3200.50")):
        book = book_ensure(organization=coop)
        post(book, date(2026, 3, 2), f"ui-{coop.slug}-1", dr("5141", amount), cr("1111", amount))
        post(book, date(2026, 3, 9), f"ui-{coop.slug}-2", dr("5161", "1250.50"), cr("7121", "1250.50"))
    UserFactory(username="comptable-ui", role="gie_accountant", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server.url, "comptable-ui")
    yield page
    context.close()


def assert_renders_as_a_table(table: Locator) -> None:
    """Header cells sit above the first row's cells, column by column (a CSS grid would put them side by side)."""
    headers = table.locator("thead th")
    cells = table.locator("tbody tr").first.locator("td")
    assert headers.count() == cells.count() >= 2
    for index in range(headers.count()):
        head, cell = headers.nth(index).bounding_box(), cells.nth(index).bounding_box()
        assert head is not None
        assert cell is not None
        assert head["y"] + head["height"] <= cell["y"] + 1, (index, head, cell)
        assert abs(head["x"] - cell["x"]) <= 1, (index, head, cell)
    first, second = headers.nth(0).bounding_box(), headers.nth(1).bounding_box()
    assert first is not None
    assert second is not None
    assert abs(first["y"] - second["y"]) <= 1  # the header cells share one row


def test_a_batch_shows_its_progress_and_its_tables_are_tables(accountant_page: Page, live_server: Any) -> None:
    page = accountant_page
    page.goto(f"{live_server.url}/statements/batches/")
    page.fill("input[name=period]", "2026-03")
    page.click("button.primary")
    page.wait_for_url("**/statements/batches/*/")
    batch = StatementBatch.objects.get()
    progress = page.locator("#batch-progress progress")
    expect(progress).to_have_attribute("max", "2")
    expect(page.locator("#batch-progress [role=status]")).to_contain_text("2 relevé(s) sur 2", timeout=30_000)
    expect(progress).to_have_attribute("value", "2")
    expect(page.get_by_role("button", name="Télécharger le fichier pour l'imprimante")).to_be_visible()
    expect(page.locator("#batch-items a")).to_have_count(2)
    assert page.locator("#batch-progress").get_attribute("hx-post") is not None  # polled until the 286 answer
    shot(page, "statements-batch-detail")
    assert_renders_as_a_table(page.locator("#batch-items"))
    batch.refresh_from_db()
    assert batch.status == StatementBatch.Status.DONE

    page.goto(f"{live_server.url}/statements/batches/")
    shot(page, "statements-batch-list")
    assert_renders_as_a_table(page.locator("#batches"))


def test_the_progress_bar_moves_while_the_batch_renders(accountant_page: Page, live_server: Any) -> None:
    """Polls are watched one by one: the first answer shows part of the batch, then the finished one stops them."""
    from gie_erp.statements import views

    views.SLICE_SECONDS = 0.0  # one statement per poll (the live server runs in this process)
    try:
        polls: list[Response] = []
        page = accountant_page
        page.on("response", lambda r: polls.append(r) if "/progress/" in r.url else None)
        page.goto(f"{live_server.url}/statements/batches/")
        page.fill("input[name=period]", "2026-03")
        page.click("button.primary")
        expect(page.locator("#batch-progress [role=status]")).to_contain_text("2 relevé(s) sur 2", timeout=30_000)
        page.wait_for_timeout(2500)
        polled = len(polls)
        page.wait_for_timeout(2500)
    finally:
        views.SLICE_SECONDS = 1.0
    assert len(polls) == polled  # polling stopped once the batch was finished
    assert polls[0].status == 200
    assert "1 relevé(s) sur 2" in polls[0].text()  # the bar moved: half the batch after the first poll
    assert '<progress value="1" max="2"' in polls[0].text()
    assert {poll.status for poll in polls[1:]} == {286}  # finished (a poll queued meanwhile gets 286 too)
