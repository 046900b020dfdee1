"""The browser fixtures of test_ui.py (a Chromium per module, the people of a small GIE) for every browser test."""

from tests.browser.test_ui import browser, people  # noqa: F401 - fixtures shared by the other browser test files
