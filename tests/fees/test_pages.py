"""The accountant's fees pages: every page with real figures, roles, refusals shown as messages, a run posted and
undone through the pages, the year-end transfer through its page.

The 10,000.00 pool split equally among olive, miel and tapis (test_runs): 3,333.34 + 666.67 = 4,000.01 for olive,
3,333.33 + 666.67 = 4,000.00 for the two others; 10,000.00 HT + 2,000.01 VAT = 12,000.01 TTC."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gie_erp.core.i18n import format_amount
from gie_erp.fees.models import Key, Pool, Run, ZeroResult
from gie_erp.fees.zero_result import gie_result
from invoices.models import Document
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.fees.conftest import JAN_31, D, cr, dr, pool, post
from tests.fees.test_zero_result import _deficit_year


def fr(amount: str) -> str:
    """An amount as the pages print it (narrow no-break spaces, decimal comma)."""
    return format_amount(Decimal(amount))


@pytest.fixture
def staff(client: Client, fees: dict[str, Any]) -> Client:
    client.force_login(fees["staff"])
    return client


@pytest.fixture
def compta(fees: dict[str, Any]) -> Pool:
    return pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"))


JANUARY = {"pool": "compta", "start": "2026-01", "end": "2026-01"}


def _bill(client: Client, expected: str = "12000.01") -> Any:
    return client.post(reverse("fees:run_new"), {**JANUARY, "expected": expected, "confirmed": "1"})


def test_every_page_shows_real_figures_to_the_staff(staff: Client, compta: Pool) -> None:
    pages = [
        reverse("fees:pool_list"),
        reverse("fees:pool_new"),
        reverse("fees:pool_edit", kwargs={"pool_slug": "compta"}),
        reverse("fees:pool_detail", kwargs={"pool_slug": "compta"}),
        reverse("fees:pool_weights_import", kwargs={"pool_slug": "compta"}),
        reverse("fees:run_new"),
        reverse("fees:run_list"),
        reverse("fees:zero_result"),
    ]
    for url in pages:
        assert staff.get(url).status_code == 200, url
    body = staff.get(reverse("fees:run_new"), JANUARY).content.decode()
    for figure in ("3333.34", "3333.33", "666.67", "4000.01", "10000.00", "2000.01", "12000.01"):
        assert fr(figure) in body, figure
    assert 'name="expected" value="12000.01"' in body
    assert "Coopérative Zarbia" in body
    csv = staff.get(reverse("fees:run_new"), {**JANUARY, "export": "csv"}).content.decode()
    assert "coop-olive" in csv
    assert "3333.34" in csv
    assert "12000.01" in csv
    xlsx = staff.get(reverse("fees:run_new"), {**JANUARY, "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_representative_gets_403_and_an_auditor_reads_but_cannot_post(
    client: Client, fees: dict[str, Any], compta: Pool
) -> None:
    run_id = _post_january(client, fees)
    representative = RepresentativeFactory(organization=fees["exempt"])
    pages = [
        reverse("fees:pool_list"),
        reverse("fees:pool_new"),
        reverse("fees:pool_detail", kwargs={"pool_slug": "compta"}),
        reverse("fees:run_new"),
        reverse("fees:run_list"),
        reverse("fees:run_detail", kwargs={"fee_run_id": run_id}),
        reverse("fees:run_undo", kwargs={"fee_run_id": run_id}),
        reverse("fees:zero_result"),
    ]
    client.force_login(representative)
    for url in pages:
        assert client.get(url).status_code == 403, url
    client.force_login(UserFactory(role="auditor"))
    assert client.get(reverse("fees:run_detail", kwargs={"fee_run_id": run_id})).status_code == 200
    assert client.get(reverse("fees:pool_new")).status_code == 403
    assert client.get(reverse("fees:run_undo", kwargs={"fee_run_id": run_id})).status_code == 403
    assert _bill(client).status_code == 403


def test_a_bad_period_an_unknown_pool_or_nothing_to_share_is_a_message(
    staff: Client, fees: dict[str, Any], compta: Pool
) -> None:
    url = reverse("fees:run_new")
    for query, text in (
        ({"pool": "nope", "start": "2026-01"}, "Pool inconnu"),
        # regression: the month typed once, not "2026-13..2026-13"
        ({"pool": "compta", "start": "2026-13"}, "Période invalide : 2026-13 (AAAA-MM"),
        ({"pool": "compta", "start": "2026-01", "end": "2026-14"}, "Période invalide : 2026-01..2026-14 (AAAA-MM"),
        (
            {"pool": "compta", "start": "2026-03", "end": "2026-01"},
            "La période finit (2026-01) avant de commencer (2026-03)",
        ),
        ({"pool": "compta", "start": "janvier"}, "Période invalide"),
    ):
        response = staff.get(url, query)
        assert response.status_code == 200, query
        assert text in response.content.decode(), query
    post(fees["book"], JAN_31, "comm", dr("5161", "100.00"), cr("71272", "100.00"))
    pool("foires", "71272", key=Key.EQUAL)
    body = staff.get(url, {"pool": "foires", "start": "2026-01"}).content.decode()
    assert "rien à répartir" in body
    response = staff.post(url, {"pool": "nope", "start": "2026-01", "expected": "1", "confirmed": "1"})
    assert response.status_code == 200
    assert Run.objects.count() == 0


def _post_january(client: Client, fees: dict[str, Any]) -> int:
    client.force_login(fees["staff"])
    response = _bill(client)
    assert response.status_code == 302
    return Run.objects.get().pk


def test_billing_through_the_page_confirms_then_creates_the_invoices(staff: Client, compta: Pool) -> None:
    confirm = staff.post(reverse("fees:run_new"), {**JANUARY, "expected": "12000.01"})
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert fr("12000.01") in body
    assert 'name="confirmed" value="1"' in body
    assert Run.objects.count() == 0
    changed = _bill(staff, expected="11000.00")  # the figures moved since the preview: refused, nothing billed
    assert changed.status_code == 302
    assert Run.objects.count() == 0
    assert "ont changé" in staff.get(changed["Location"]).content.decode()
    done = _bill(staff)
    run = Run.objects.get()
    assert done["Location"] == reverse("fees:run_detail", kwargs={"fee_run_id": run.pk})
    documents = Document.objects.filter(origin=Document.Origin.FEE_RUN, status=Document.Status.VALIDATED)
    assert sorted(d.total_gross for d in documents) == [D("4000.00"), D("4000.00"), D("4000.01")]
    page = staff.get(done["Location"]).content.decode()
    for document in documents:
        assert reverse("invoices:document_detail", kwargs={"document_id": document.pk}) in page
    assert fr("3333.34") in page
    assert fr("12000.01") in page
    csv = staff.get(done["Location"], {"export": "csv"}).content.decode()
    assert "3333.34" in csv
    assert documents.get(total_gross=D("4000.01")).number in csv
    again = staff.get(reverse("fees:run_new"), JANUARY).content.decode()
    assert "déjà réparti" in again
    assert 'id="run-bill"' not in again


def test_undo_through_the_page_needs_a_reason_and_issues_credit_notes(staff: Client, compta: Pool) -> None:
    _bill(staff)
    run = Run.objects.get()
    url = reverse("fees:run_undo", kwargs={"fee_run_id": run.pk})
    page = staff.get(url).content.decode()
    assert fr("12000.01") in page
    assert "3 factures" in page
    refused = staff.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert Run.objects.get().state == Run.State.POSTED
    done = staff.post(url, {"reason": "clé corrigée"})
    assert done.status_code == 302
    assert Run.objects.get().state == Run.State.UNDONE
    assert Document.objects.filter(kind=Document.Kind.CREDIT_NOTE, status=Document.Status.VALIDATED).count() == 3
    detail = staff.get(reverse("fees:run_detail", kwargs={"fee_run_id": run.pk})).content.decode()
    assert "clé corrigée" in detail
    assert 'id="run-undo"' not in detail
    assert (
        staff.get(reverse("fees:run_list"), {"state": "undone", "year": "2026"}).content.decode().count('data-run="')
        == 1
    )


def test_the_zero_result_page_previews_posts_and_undoes(
    staff: Client, fees: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deficit year of test_zero_result: −300.00 shared by fees charged, 70.00 / 90.00 / 140.00, posted on
    31/12/2026 (so the page is used in January 2027)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2027, 1, 15))
    _deficit_year(fees)
    url = reverse("fees:zero_result")
    body = staff.get(url, {"year": "2026", "key": "fees"}).content.decode()
    for figure in ("-300.00", "70.00", "90.00", "140.00"):
        assert fr(figure) in body, figure
    assert "70.00" in staff.get(url, {"year": "2026", "key": "fees", "export": "csv"}).content.decode()
    confirm = staff.post(url, {"year": "2026", "key": "fees", "action": "post", "expected": "-300.00"})
    assert confirm.status_code == 200
    assert ZeroResult.objects.count() == 0
    done = staff.post(url, {"year": "2026", "key": "fees", "action": "post", "expected": "-300.00", "confirmed": "1"})
    assert done.status_code == 302
    assert gie_result(2026) == D("0.00")
    page = staff.get(done["Location"]).content.decode()
    assert "Transfert en place" in page
    assert fr("140.00") in page
    staff.post(url, {"year": "2026", "key": "fees", "action": "undo", "reason": ""})
    assert ZeroResult.objects.get().state == ZeroResult.State.POSTED
    staff.post(url, {"year": "2026", "key": "fees", "action": "undo", "reason": "clé revue en assemblée"})
    assert ZeroResult.objects.get().state == ZeroResult.State.UNDONE
    assert gie_result(2026) == D("-300.00")


def test_a_pool_is_created_and_edited_and_fed_through_the_pages(staff: Client, fees: dict[str, Any]) -> None:
    data = {"slug": "locaux", "name_fr": "Locaux", "name_ar": "المقر", "kind": "service", "key": "equal",
            "vat_code": "normal-20", "revenue_account": "7124", "member_account": "6131", "fixed_monthly": "1 500,00",
            "pictogram": "", "is_active": "on", "exempted": [fees["tapis"].pk], "frequency": "monthly"}  # fmt: skip
    response = staff.post(reverse("fees:pool_new"), data)
    assert response.status_code == 302
    made = Pool.objects.get(slug="locaux")
    assert made.fixed_monthly == D("1500.00")
    assert list(made.exempted.values_list("slug", flat=True)) == ["coop-tapis"]
    debours = staff.post(reverse("fees:pool_edit", kwargs={"pool_slug": "locaux"}), {**data, "kind": "debours"})
    assert debours.status_code == 200
    assert "debours" in debours.content.decode()
    detail = reverse("fees:pool_detail", kwargs={"pool_slug": "locaux"})
    staff.post(reverse("fees:pool_source_add", kwargs={"pool_slug": "locaux"}), {"account_code": "61312"})
    assert list(made.sources.values_list("account_code", flat=True)) == ["61312"]
    pool("autre", "61365@training:")
    taken = staff.post(
        reverse("fees:pool_source_add", kwargs={"pool_slug": "locaux"}),
        {"account_code": "61365", "tag_prefix": "training"},
    )
    assert "alimente déjà" in staff.get(taken["Location"]).content.decode()
    source = made.sources.get()
    staff.post(reverse("fees:pool_source_remove", kwargs={"pool_slug": "locaux", "source_id": source.pk}))
    assert not made.sources.exists()
    body = staff.get(reverse("fees:run_new"), {"pool": "locaux", "start": "2026-01"}).content.decode()
    assert "exemptée par décision" in body
    assert fr("750.00") in body
    assert staff.get(detail).status_code == 200


def test_the_pools_vat_reads_as_words(staff: Client, fees: dict[str, Any]) -> None:
    """Regression (user pass): the pools' list showed the raw code "normal-20"."""
    pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    body = staff.get(reverse("fees:pool_list")).content.decode()
    assert "TVA 20 % (taux normal)" in body
    assert "normal-20" not in body
