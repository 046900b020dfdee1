"""A printed trial balance (first-day defects, item 3): every page carries the cooperative, the report, the period,
the print date and its number. Printed by Chromium to PDF, read back with pdftotext; a PNG of page 1 goes to docs/."""

import os
import subprocess
from datetime import date
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

from django.utils import timezone
from playwright.sync_api import Browser

from tests.browser.kit import SHOTS, login
from tests.ledger.conftest import cr, dr, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = SHOTS.parents[1] / "docs"


def test_a_printed_trial_balance_names_its_book_period_date_and_pages(
    browser: Browser, live_server: Any, people: dict[str, Any]
) -> None:
    book = people["book"]
    for n in range(60):  # enough accounts for two pages
        post(book, date(2026, 3, 10), f"p{n}", dr("6111", f"{n + 1}.00"), cr("5141", f"{n + 1}.00"))
    for n, code in enumerate(["6121", "6122", "6125", "6126", "6131", "6133", "6134", "6141", "6142",
                              "6143", "6144", "6145", "6146", "6147", "6148", "6161", "6165", "6171",
                              "6174", "6181", "6185", "6311", "6331", "7111", "7121", "7124", "7127",
                              "4411", "4455", "3421", "3455", "2340", "2351", "2355", "1481", "6386"]):  # fmt: skip
        post(book, date(2026, 3, 11), f"q{n}", dr(code, "10.00") if code[0] in "2346" else cr(code, "10.00"),
             cr("5141", "10.00") if code[0] in "2346" else dr("5141", "10.00"))  # fmt: skip
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live_server.url, "gie-accountant")
    page.goto(f"{live_server.url}/books/coop-a/trial-balance/?start=2026-03-01&end=2026-03-31")
    pdf = SHOTS / "trial-balance-print.pdf"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    printed = f"Imprimé le {timezone.localdate():%d/%m/%Y}"
    for number, content in enumerate(pages, start=1):
        assert "Coopérative Alpha · Balance générale" in content, number
        assert "01/03/2026 – 31/03/2026" in content
        assert printed in content
        assert f"Page {number} / {len(pages)}" in content
    assert "Filtrer" not in text
    assert "Afficher" not in text  # the form and the menu are not printed
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(SHOTS / "tb-print")], check=True
    )
    DOCS.mkdir(exist_ok=True)
    (DOCS / "trial-balance-print.png").write_bytes(next(SHOTS.glob("tb-print*.png")).read_bytes())
