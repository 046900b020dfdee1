"""The close pages: the accountant launches October from the grid page, the progress page closes the books slice by
slice (eager mode), lists olive's draft as its reason in French and Arabic, exports the list; the auditor reads
but cannot launch; only the admin reopens; a representative gets 403 everywhere.

Figures: tests/close/test_month_close.py's October (GIE 4455 200.00 → 4456; miel 34552 200.00 → 3456)."""

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.core.roles import Role
from invoices.services import document_save_draft
from ledger.models import PeriodLock
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.invoices.conftest import D, balance, line


def _poll_until_done(client: Client, run: CloseRun) -> str:
    url = reverse("close:run_progress", args=[run.pk])
    for _ in range(20):
        response = client.post(url)
        if response.status_code == 286:
            return response.content.decode()
        assert response.status_code == 200
    pytest.fail("the close did not finish in 20 polls")


@pytest.fixture
def with_draft(october: dict[str, Any]) -> dict[str, Any]:
    document_save_draft(
        issuer=october["exempt"], customer=october["hotel"], issued_on=date(2026, 10, 12),
        lines=[line("Huile", "2", "90.00")],
    )  # fmt: skip
    return october


def test_the_accountant_launches_a_month_and_follows_it(client: Client, with_draft: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="compta", role=Role.GIE_ACCOUNTANT))
    page = client.get(reverse("close:index"), {"year": "2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="2026-11"' in body  # last month by default (today is in December)
    assert 'id="close-grid"' in body
    launched = client.post(reverse("close:index"), {"month": "2026-10"})
    run = CloseRun.objects.get()
    assert launched["Location"] == reverse("close:run_detail", args=[run.pk])
    body = _poll_until_done(client, run)
    assert "3 livre(s) traité(s) sur 3" in body
    assert "Documents en brouillon datés du mois : 1" in body
    assert "وثائق في المسودة مؤرخة في هذا الشهر" in body
    assert PeriodLock.objects.filter(year=2026, month=10).count() == 2
    assert balance(with_draft["gie"], "4456") == D("-200.00")
    detail = client.get(reverse("close:run_detail", args=[run.pk]), {"status": "blocked"}).content.decode()
    assert 'data-book="coop-olive" data-status="blocked"' in detail
    assert 'data-book="coop-miel"' not in detail
    # the month reads 2026-10 in an Arabic heading too (not 10-2026), and the filters come before the table
    assert '<bdi dir="ltr">2026-10</bdi></h1>' in detail
    assert detail.index('id="close-filters"') < detail.index('id="close-items"')
    xlsx = client.get(reverse("close:run_detail", args=[run.pk]), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == (
        "Code",
        "Livre",
        "État",
        "Motifs",
        "Motifs (arabe)",
        "Liquidation de TVA",
        "Écritures de clôture",
    )
    olive = next(row for row in rows if row[0] == "coop-olive")
    assert olive[2] == "Bloqué"
    assert olive[3].startswith("Documents en brouillon")
    grid = client.get(reverse("close:index"), {"year": "2026"}).content.decode()
    assert 'data-book="coop-miel"' in grid
    assert "✓" in grid
    assert "✕" in grid
    # the combined figures of the year are one click away, and the link opens them for that year
    link = reverse("combine:index") + "?start=2026-01-01&amp;end=2026-12-31"
    assert f'<a href="{link}">' in grid
    combined = client.get(reverse("combine:index"), {"start": "2026-01-01", "end": "2026-12-31"})
    assert combined.status_code == 200
    assert 'value="2026-01-01"' in combined.content.decode()
    # a month not ended, or mistyped, is a message on the form: nothing made
    for month, text in (
        ("2099-01", "est pas terminé : il se clôture à partir du 01/02/2099"),
        ("2026-13", "Mois invalide"),
        ("2025-12", "Décembre 2025 se clôture avec l&#x27;exercice : lancez la clôture de l&#x27;exercice 2025."),
    ):
        response = client.post(reverse("close:index"), {"month": month})
        assert response.status_code == 200
        assert text in response.content.decode()
    # the year's form says the same way what stops it
    for year, text in (("2099", "il se clôture à partir du 01/01/2100"), ("20x6", "Exercice invalide : 20x6")):
        response = client.post(reverse("close:index"), {"kind": "year", "year": year})
        assert response.status_code == 200
        assert text in response.content.decode()
    assert CloseRun.objects.count() == 1


def test_the_auditor_reads_only_and_only_the_admin_reopens(client: Client, october: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="compta", role=Role.GIE_ACCOUNTANT))
    client.post(reverse("close:index"), {"month": "2026-10"})
    run = CloseRun.objects.get()
    _poll_until_done(client, run)
    auditor = Client()
    auditor.force_login(UserFactory(username="audit", role=Role.AUDITOR))
    assert auditor.get(reverse("close:run_detail", args=[run.pk])).status_code == 200
    assert auditor.post(reverse("close:index"), {"month": "2026-09"}).status_code == 403
    reopen = reverse("close:run_reopen", args=[run.pk])
    assert client.post(reopen, {"books": "coop-miel", "reason": "oubli"}).status_code == 403
    admin = Client()
    admin.force_login(UserFactory(username="admin", role=Role.GIE_ADMIN))
    assert "close-reopen" in admin.get(reverse("close:run_detail", args=[run.pk])).content.decode()
    admin.post(reopen, {"books": "coop-miel", "reason": ""})
    assert run.items.get(organization__slug="coop-miel").status == CloseItem.Status.CLOSED  # no reason: nothing
    admin.post(reopen, {"books": "coop-miel", "reason": "facture oubliée"})
    assert run.items.get(organization__slug="coop-miel").status == CloseItem.Status.REOPENED
    assert not PeriodLock.objects.filter(book__organization__slug="coop-miel").exists()
    rep = Client()
    rep.force_login(RepresentativeFactory(organization=october["registered"]))
    for url in (reverse("close:index"), reverse("close:run_detail", args=[run.pk])):
        assert rep.get(url).status_code == 403
