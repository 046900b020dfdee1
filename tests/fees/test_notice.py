"""The fee notice a member reads without French: one A4 page, French and Arabic, the run's and the share's own
figures; rendered on Celery after posting (eager here), stored, and not redone.

Hand-computed (tests/fees/test_runs.py): 10,000.00 a month split equally among olive, miel and tapis; olive takes the
odd centime: 3,333.34 + VAT 20 % 666.67 (666.668) = 4,000.01; miel and tapis 3,333.33 + 666.67 = 4,000.00.
Cooperators: olive 7 of 40 (7 + 13 + 20) of a 2,000.00 pool: 2,000 × 7 / 40 = 350.00, VAT 70.00, due 420.00."""

import io
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from gie_erp.fees.models import Key, Run, Share
from gie_erp.fees.pdf_notice import (
    dots,
    format_weight,
    months_ar,
    notice_html,
    notice_language,
    notice_pdf,
    percent,
)
from gie_erp.fees.rendering import notice_file_name, share_notice_render
from gie_erp.fees.services import run_post, run_undo
from gie_erp.fees.tasks import run_notices_dispatch
from tests.factories.members import CooperatorFactory, RepresentativeFactory
from tests.fees.conftest import JAN_1, JAN_31, TODAY, D, cr, dr, pool, post

SHOTS = Path("/tmp/shots")
SHIPPED_FONT = re.compile(r"^/([A-Z]{6}\+)?GIE-(Sans|Naskh|Tifinagh)(-Bold)?$")


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def amt(text: str) -> str:
    """Amounts as the extracted text reads them (NFKC made their narrow spaces plain)."""
    return text


def equal_run(f: dict[str, Any]) -> Run:
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"), pictogram="receipt")
    return run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)


def share_of(run: Run, organization: Any) -> Share:
    return run.shares.select_related("run__pool", "organization", "document").get(organization=organization)


def test_the_notice_shows_the_pool_the_share_and_the_amount_due(fees: dict[str, Any]) -> None:
    f = fees
    olive = share_of(equal_run(f), f["exempt"])
    pdf = notice_pdf(olive, printed_on=TODAY)
    reader, text = text_of(pdf)
    assert len(reader.pages) == 1
    assert "Coopérative Zitouna" in text
    assert "Pool compta" in text
    assert "01/01/2026 - 31/01/2026" in text
    assert amt("+ 10 000,00") in text  # the fixed amount
    assert amt("10 000,00 DH × 1 mois") in text
    assert "Vous : 1 part sur 3 membres" in text
    assert amt("33,33 %") in text
    assert amt("10 000,00 × 1 / 3 = 3 333,34 DH") in text
    for figure in ("3 333,34", "666,67", "4 000,01"):
        assert amt(figure) in text
    assert "TVA 20 %" in text
    assert olive.document is not None
    assert olive.document.number in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert fonts
    assert all(SHIPPED_FONT.match(name) for name in fonts), fonts
    html = notice_html(olive, printed_on=TODAY)
    assert "حصتكم من مصاريف المجموعة" in html
    assert "المبلغ الواجب أداؤه للمجموعة" in html


def test_the_weight_is_explained_in_the_keys_words_and_arabic_leads_for_an_arabic_reader(
    fees: dict[str, Any],
) -> None:
    f = fees
    for organization, count in ((f["exempt"], 7), (f["registered"], 13), (f["tapis"], 20)):
        CooperatorFactory.create_batch(count, organization=organization, is_active=True)
    RepresentativeFactory(username="rep-olive", organization=f["exempt"], preferred_language="ar")
    premises = pool("locaux", key=Key.COOPERATORS, fixed_monthly=D("2000.00"))
    run = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    olive = share_of(run, f["exempt"])
    assert (olive.weight, olive.share, olive.vat, olive.total) == (D("7.00"), D("350.00"), D("70.00"), D("420.00"))
    assert notice_language(f["exempt"]) == "ar"
    assert notice_language(f["registered"]) == "fr"
    _reader, text = text_of(notice_pdf(olive, printed_on=TODAY))
    assert "Vous : 7 coopérateurs sur 40" in text
    assert amt("17,50 %") in text
    assert amt("2 000,00 × 7 / 40 = 350,00 DH") in text
    assert amt("420,00") in text
    html = notice_html(olive, printed_on=TODAY)
    assert html.index('class="you first" lang="ar"') < html.index('class="you second"')
    assert html.count('class="dot mine"') == 7
    assert html.count('class="dot"') == 33
    french = notice_html(olive, printed_on=TODAY, language="fr")
    assert '<div class="you first">Vous : 7 coopérateurs sur 40</div>' in french


def test_weights_percent_and_dots() -> None:
    assert format_weight(D("7.00")) == "7"
    assert format_weight(D("1234.00")) == "1\u202f234"
    assert format_weight(D("700.00"), is_money=True) == "700,00"
    assert format_weight(D("2.50")) == "2,50"
    assert percent(D("1"), D("3")) == D("33.33")
    assert percent(D("2"), D("3")) == D("66.67")
    assert percent(D("1"), D("0")) == D("0")
    assert dots(D("2"), D("5")) == [True, True, False, False, False]
    assert dots(D("2.5"), D("5")) == []
    assert dots(D("2"), D("61")) == []


def test_notices_render_after_posting_once_each(fees: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}  # fmt: skip
    f = fees
    run = equal_run(f)
    assert run_notices_dispatch(run.pk) == 3
    shares = list(run.shares.select_related("run__pool", "organization"))
    assert all(s.rendered_at is not None for s in shares)
    for share in shares:
        assert default_storage.exists(notice_file_name(share))
    olive = next(s for s in shares if s.organization_id == f["exempt"].pk)
    assert notice_file_name(olive) == f"fees/compta/2026-01..2026-01/coop-olive-{olive.pk}.pdf"
    first = olive.rendered_at
    assert share_notice_render(share_id=olive.pk) == notice_file_name(olive)  # a retry: not redone
    olive.refresh_from_db()
    assert olive.rendered_at == first
    assert run_notices_dispatch(run.pk) == 0  # nothing left to render
    with default_storage.open(notice_file_name(olive), "rb") as handle:
        _reader, text = text_of(handle.read())
    assert amt("4 000,01") in text


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_print_the_notice_to_png(fees: dict[str, Any], language: str) -> None:
    """Not an assertion on pixels: the PNG is there to be looked at (/tmp/shots/fee-notice-<language>-1.png)."""
    f = fees
    for organization, count in ((f["exempt"], 7), (f["registered"], 13), (f["tapis"], 20)):
        CooperatorFactory.create_batch(count, organization=organization, is_active=True)
    book = f["book"]
    post(book, JAN_31.replace(day=3), "stand", dr("61443", "5000.00"), cr("5141", "5000.00"))
    post(book, JAN_31.replace(day=28), "comm", dr("3463", "1400.00", f["exempt"]), cr("71272", "1400.00", f["exempt"]))
    fairs = pool("foires", "61443", "71272", key=Key.COOPERATORS, fixed_monthly=D("400.00"), pictogram="basket")
    fairs.name_fr, fairs.name_ar = "Foires et salons", "المعارض"
    fairs.save()
    run = run_post(pool=fairs, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    olive = share_of(run, f["exempt"])
    pdf = notice_pdf(olive, printed_on=TODAY, language=language)
    SHOTS.mkdir(exist_ok=True)
    target = SHOTS / f"fee-notice-{language}.pdf"
    target.write_bytes(pdf)
    subprocess.run(
        ["/usr/bin/pdftoppm", "-png", "-r", "60", str(target), str(SHOTS / f"fee-notice-{language}")], check=True
    )
    _reader, text = text_of(pdf)
    assert "- 1 400,00" in text
    assert "+ 400,00" in text
    assert "700,00" in text
    assert "840,00" in text


def test_a_debours_notice_has_no_vat_row(fees: dict[str, Any]) -> None:
    """900.00 of débours equally: 300.00 each, no VAT, due 300.00."""
    f = fees
    stamps = pool("timbres", key=Key.EQUAL, fixed_monthly=D("900.00"), kind="debours", vat_code="debours")
    run = run_post(pool=stamps, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    olive = share_of(run, f["exempt"])
    assert (olive.share, olive.vat, olive.total) == (D("300.00"), D("0.00"), D("300.00"))
    _reader, text = text_of(notice_pdf(olive, printed_on=TODAY))
    assert "Débours refacturés au coût : sans TVA" in text
    assert "TVA 0 %" not in text
    assert "300,00" in text


def test_an_undone_share_reads_nothing_due(fees: dict[str, Any]) -> None:
    """Regression (user pass): the notice of an undone run still said "À payer au GIE 4 000,01" in large type."""
    f = fees
    run = equal_run(f)
    run_undo(run=run, reason="erreur de clé", acting_user=f["staff"], today=TODAY)
    olive = share_of(run, f["exempt"])
    _reader, text = text_of(notice_pdf(olive, printed_on=TODAY))
    assert amt("- 4 000,01") in text  # the credit note takes it back
    assert re.search(r"À payer au GIE\s*0,00", text), text


@pytest.mark.parametrize(("count", "word"), [(1, "شهر"), (2, "شهران"), (3, "أشهر"), (10, "أشهر"), (12, "شهرا")])
def test_months_in_arabic_follow_the_count(count: int, word: str) -> None:
    """Regression (user pass): "1 × … أشهر" (the plural) for a single month."""
    assert months_ar(count) == word
