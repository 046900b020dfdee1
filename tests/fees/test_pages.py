"""The accountant's fees pages: every page with real figures, roles, refusals shown as messages, a run posted and
undone through the pages, the year-end transfer through its page.

The 10,000.00 pool split equally among olive, miel and tapis (test_runs): 3,333.34 + 666.67 = 4,000.01 for olive,
3,333.33 + 666.67 = 4,000.00 for the two others; 10,000.00 HT + 2,000.01 VAT = 12,000.01 TTC."""

import html
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gie_erp.core.i18n import format_amount
from gie_erp.fees.models import Key, Pool, Run, ZeroResult
from gie_erp.fees.services import run_post
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


# --- user pass 2 ------------------------------------------------------------


def page(response: Any) -> str:
    """A page's text with its entities read (``n'est`` is written ``n&#x27;est``)."""
    return html.unescape(response.content.decode())


def test_a_year_out_of_range_is_a_message_never_a_500(staff: Client, compta: Pool) -> None:
    """Regression: ``start=9999-12`` raised OverflowError in the run form (GET and POST)."""
    url = reverse("fees:run_new")
    for start, end in (("9999-12", ""), ("0001-01", ""), ("2026-01", "9999-12")):
        typed = f"{start}..{end}" if end else start
        expected = f"Période invalide : {typed} (années de 2000 à 2100)."
        got = staff.get(url, {"pool": "compta", "start": start, "end": end})
        assert got.status_code == 200
        assert expected in got.content.decode()
        posted = staff.post(url, {"pool": "compta", "start": start, "end": end, "expected": "1", "confirmed": "1"})
        assert posted.status_code == 200
        assert expected in posted.content.decode()
    for year in ("0000", "9999", "abcd"):
        assert staff.get(reverse("fees:run_list"), {"year": year}).status_code == 200
    assert Run.objects.count() == 0


def test_the_zero_result_year_and_key_are_checked_in_words(staff: Client, fees: dict[str, Any]) -> None:
    """Regression: a key not offered (``custom``) was echoed by Django ("custom n'en fait pas partie")."""
    url = reverse("fees:zero_result")
    for year, text in (
        ("99999999999999999999", "Année invalide : 2100 au plus tard."),
        ("1999", "Année invalide : 2000 au plus tôt."),
        ("1e400", "Année invalide : écrivez-la en chiffres, par exemple 2026."),
        ("2026.5", "Année invalide : écrivez-la en chiffres, par exemple 2026."),
    ):
        response = staff.get(url, {"year": year, "key": "fees"})
        assert response.status_code == 200, year
        assert text in response.content.decode(), year
    body = staff.get(url, {"year": "2026", "key": "custom"}).content.decode()
    assert "Clé inconnue ici : choisissez une clé de la liste" in body
    assert "n’en fait pas partie" not in body
    assert "n'en fait pas partie" not in body


def test_the_transfer_of_a_year_not_ended_is_not_offered(
    staff: Client, fees: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: on 31/12/2026 the page offered "Passer le transfert…", confirmed it, then refused with the runs'
    words ("elle se facture à partir du 31/12/2026"). The year is transferred from 01/01/2027; the page says so."""
    _deficit_year(fees)  # a deficit of 300.00 (test_zero_result)
    url = reverse("fees:zero_result")
    message = (
        "L'année 2026 n'est pas terminée : son résultat se transfère à partir du 01/01/2027 (l'aperçu reste possible)."
    )
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2026, 12, 31))
    body = page(staff.get(url, {"year": "2026", "key": "fees"}))
    assert fr("-300.00") in body  # previewed
    assert message in body
    assert 'id="zero-post"' not in body
    asked = staff.post(url, {"year": "2026", "key": "fees", "action": "post", "expected": "-300.00"})
    assert asked.status_code == 302  # no confirmation page for a transfer that would be refused
    assert message in page(staff.get(asked["Location"]))
    assert ZeroResult.objects.count() == 0
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2027, 1, 1))
    assert 'id="zero-post"' in staff.get(url, {"year": "2026", "key": "fees"}).content.decode()


def test_a_forged_expected_total_is_refused_cleanly(staff: Client, compta: Pool, fees: dict[str, Any]) -> None:
    """Regression: ``expected=1e400`` was a 500 (InvalidOperation formatting it)."""
    for forged in ("1e400", "NaN", "12 000,01", "12000.011"):
        response = staff.post(reverse("fees:run_new"), {**JANUARY, "expected": forged})
        assert response.status_code == 200, forged
        assert "Aperçu manquant" in response.content.decode(), forged
        zero = staff.post(reverse("fees:zero_result"), {"year": "2025", "key": "fees", "action": "post",
                                                        "expected": forged})  # fmt: skip
        assert zero.status_code == 302, forged
    assert Run.objects.count() == 0


def test_confirming_an_already_billed_run_again_says_so(staff: Client, compta: Pool) -> None:
    """Regression: a second confirmation (back button, another tab) said "Répartition facturée : 3 factures
    validées." as if it had billed them."""
    first = _bill(staff)
    assert "Répartition facturée : 3 factures validées." in staff.get(first["Location"]).content.decode()
    confirm = staff.post(reverse("fees:run_new"), {**JANUARY, "expected": "12000.01"}).content.decode()
    assert "Cette période est déjà facturée (factures du 31/01/2026) : confirmer ne crée rien de nouveau." in confirm
    again = _bill(staff)
    assert again["Location"] == first["Location"]
    body = staff.get(again["Location"]).content.decode()
    assert "Cette répartition était déjà facturée (3 factures) : rien de nouveau." in body
    assert "Répartition facturée" not in body
    assert Document.objects.filter(origin=Document.Origin.FEE_RUN).count() == 3


def test_the_run_page_reads_the_vat_and_exact_shares_as_words_and_figures(staff: Client, compta: Pool) -> None:
    """Regression: "normal-20" and "3333.333333" printed raw. 10,000 / 3 = 3,333.333333… (six places kept)."""
    _bill(staff)
    run = Run.objects.get()
    staff.post(reverse("fees:run_undo", kwargs={"fee_run_id": run.pk}), {"reason": "x" * 200})
    page = staff.get(reverse("fees:run_detail", kwargs={"fee_run_id": run.pk})).content.decode()
    assert '<dd id="run-vat">TVA 20 % (taux normal)</dd>' in page
    assert "normal-20" not in page
    exact = "3\u202f333,333333"
    assert f'<span class="amount" dir="ltr">{exact}</span>' in page
    assert "3333.333333" not in page
    # a 200-character reason without spaces wraps instead of widening the page
    assert '<span class="reason" id="run-undo-reason">« ' + "x" * 200 + " »</span>" in page
    assert "#run-facts .reason { overflow-wrap: anywhere;" in page
    preview = staff.get(reverse("fees:run_new"), JANUARY).content.decode()
    assert f'<td class="num" data-figure="exact"><span class="amount" dir="ltr">{exact}</span></td>' in preview


def test_the_fixed_amount_is_added_below_the_accounts_total(staff: Client, fees: dict[str, Any]) -> None:
    """Regression: "Montant fixe 1 500,00" sat in the costs column above "Total 0,00". The accounts' total comes
    first (61312: 2,500.00 of rent), then the fixed amount added, then what is shared: 2,500.00 + 1,500.00."""
    post(fees["book"], JAN_31.replace(day=5), "rent", dr("61312", "2500.00"), cr("5141", "2500.00"))
    pool("locaux", "61312", key=Key.EQUAL, fixed_monthly=D("1500.00"))
    body = staff.get(reverse("fees:run_new"), {"pool": "locaux", "start": "2026-01"}).content.decode()
    total = body.index("Total des comptes")
    fixed = body.index("+ Montant fixe (ajouté aux comptes)")
    shared = body.index('id="preview-amount"')
    assert total < fixed < shared
    assert f'data-figure="costs"><span class="amount" dir="ltr">{fr("2500.00")}</span>' in body
    assert f'data-figure="fixed"><span class="amount" dir="ltr">{fr("1500.00")}</span>' in body
    assert f'id="preview-amount"><span class="amount" dir="ltr">{fr("4000.00")}</span>' in body


def test_a_share_too_large_for_an_invoice_is_refused_on_the_preview(staff: Client, fees: dict[str, Any]) -> None:
    """Regression: 999,999,999.99 a month over 2026 was previewed, then refused after confirmation with a raw
    number. 11,999,999,999.88 / 3 = 3,999,999,999.96 each + VAT 799,999,999.99 (799,999,999.992) =
    4,799,999,999.95 TTC: above the 999,999,999.99 a posted line holds."""
    pool("geant", key=Key.EQUAL, fixed_monthly=D("999999999.99"))
    body = staff.get(reverse("fees:run_new"), {"pool": "geant", "start": "2026-01", "end": "2026-12"})
    text = body.content.decode()
    assert (
        f"La quote-part de Coopérative Zitouna ({fr('4799999999.95')} TTC) dépasse le plus grand montant qu'une "
        f"facture accepte ({fr('999999999.99')}) : répartissez moins de mois à la fois ou réduisez le montant fixe."
    ) in html.unescape(text)
    assert 'id="run-bill"' not in text


def test_the_preview_and_the_confirmation_say_the_invoices_date(
    staff: Client, fees: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """February billed first (28/02/2026), then January on 5 March: its invoices are dated 05/03/2026."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2026, 3, 5))
    pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    pool("locaux", key=Key.EQUAL, fixed_monthly=D("600.00"))
    run_post(pool=Pool.objects.get(slug="compta"), starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 28))
    query = {"pool": "locaux", "start": "2026-01"}
    body = page(staff.get(reverse("fees:run_new"), query))
    assert "Les factures seront datées du 05/03/2026 (le jour de la facturation : des factures du GIE" in body
    assert "L'échéance se compte depuis cette date." in body
    confirm = staff.post(reverse("fees:run_new"), {**query, "end": "2026-01", "expected": "720.00"}).content.decode()
    assert '<dd id="run-confirm-date"><span dir="ltr">05/03/2026</span> (le jour de la facturation' in confirm
    other = page(staff.get(reverse("fees:run_new"), {"pool": "compta", "start": "2026-03"}))
    assert "La période n'est pas terminée : elle se facture à partir du 01/04/2026" in other


def test_the_undo_page_says_the_credit_notes_date(staff: Client, compta: Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    _bill(staff)
    run = Run.objects.get()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2026, 3, 10))
    url = reverse("fees:run_undo", kwargs={"fee_run_id": run.pk})
    assert "Les avoirs seront datés du 10/03/2026 (le jour de l'annulation)" in page(staff.get(url))
    staff.post(url, {"reason": "clé corrigée"})
    notes = Document.objects.filter(kind=Document.Kind.CREDIT_NOTE)
    assert sorted((n.issued_on, n.total_gross) for n in notes) == [(date(2026, 3, 10), D("4000.00"))] * 2 + [
        (date(2026, 3, 10), D("4000.01"))
    ]
