"""``import_page``'s ``notice``: an import that went through with something to point out (a paper tally's lines at
another price than the catalogue's) says it as a warning after the success message; with nothing to say, no
warning."""

from typing import Any

from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from gie_erp.core.import_pages import import_page
from gie_erp.core.imports import MB, ImportLimits


def post(notice: Any) -> list[tuple[int, str]]:
    request = RequestFactory().post("/import/", {"file": SimpleUploadedFile("f.csv", b"a\n1\n")})
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    response = import_page(
        request,
        template="unused.html",
        context={},
        limits=ImportLimits(max_bytes=MB, max_rows=10),
        run=lambda name, content: len(content),
        success=lambda size: f"{size} octets lus.",
        success_url="/done/",
        notice=notice,
    )
    assert (response.status_code, response["Location"]) == (302, "/done/")
    return [(m.level, m.message) for m in request._messages]  # type: ignore[attr-defined]


def test_a_notice_follows_the_success_as_a_warning() -> None:
    assert post(lambda size: f"{size - 3} ligne à un autre prix.") == [
        (constants.SUCCESS, "4 octets lus."),
        (constants.WARNING, "1 ligne à un autre prix."),
    ]


def test_no_warning_when_the_notice_says_nothing() -> None:
    assert post(lambda size: "") == [(constants.SUCCESS, "4 octets lus.")]
    assert post(None) == [(constants.SUCCESS, "4 octets lus.")]
