"""The custom weights import (CSV/XLSX, all or nothing) and the preview it drives.

Weights olive 1, miel 3 (by ICE), tapis 0 on a 400.00 pool: 100.00 / 300.00, tapis left out (zero weight)."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.fees.imports import custom_weights_import
from gie_erp.fees.models import CustomWeight, Key, Pool
from gie_erp.fees.selectors import run_preview
from tests.fees.conftest import JAN_1, JAN_31, D, pool


@pytest.fixture
def custom(fees: dict[str, Any]) -> Pool:
    return pool("salon", key=Key.CUSTOM, fixed_monthly=D("400.00"))


def weights(pool: Pool) -> dict[str, Any]:
    return {
        w.organization.slug: w.weight for w in CustomWeight.objects.filter(pool=pool).select_related("organization")
    }


def _csv(fees: dict[str, Any], *lines: str) -> bytes:
    return ("membre;poids\n" + "\n".join(lines) + "\n").encode()


def test_a_sheet_sets_the_weights_by_slug_or_ice_and_the_preview_uses_them(fees: dict[str, Any], custom: Pool) -> None:
    miel_ice = fees["registered"].ice
    content = _csv(fees, "coop-olive;1", f"{miel_ice};3", "COOP-TAPIS;0")
    report = custom_weights_import(pool=custom, filename="poids.csv", content=content, acting_user=fees["staff"])
    assert report.rows_written == 3
    assert weights(custom) == {"coop-olive": D("1.00"), "coop-miel": D("3.00"), "coop-tapis": D("0.00")}
    preview = run_preview(custom, JAN_1, JAN_31)
    assert {org.slug: line.share for org, line in preview.lines} == {
        "coop-olive": D("100.00"),
        "coop-miel": D("300.00"),
    }
    assert [e.organization.slug for e in preview.excluded] == ["coop-tapis"]
    # a new sheet replaces the whole key: olive, absent, no longer weighs
    custom_weights_import(pool=custom, filename="poids.csv", content=_csv(fees, "coop-miel;2,5"), acting_user=None)
    assert weights(custom) == {"coop-miel": D("2.50")}


def test_one_bad_row_writes_nothing_and_the_report_names_row_and_column(fees: dict[str, Any], custom: Pool) -> None:
    custom_weights_import(pool=custom, filename="p.csv", content=_csv(fees, "coop-olive;7"), acting_user=None)
    content = _csv(fees, "coop-miel;2", "coop-olive;beaucoup", "coop-inconnue;1", "coop-miel;4", ";3")
    with pytest.raises(ImportRefused) as caught:
        custom_weights_import(pool=custom, filename="poids.csv", content=content, acting_user=None)
    rows = [(e.row, e.field, e.code) for e in caught.value.report.errors]
    assert rows == [
        (3, "poids", ErrorCode.IMPORT_BAD_AMOUNT),
        (4, "membre", ErrorCode.IMPORT_UNKNOWN_MEMBER),
        (5, "membre", ErrorCode.IMPORT_DUPLICATE),
        (6, "membre", ErrorCode.IMPORT_MISSING_FIELD),
    ]
    assert weights(custom) == {"coop-olive": D("7.00")}  # untouched


def test_the_import_page_refuses_a_bad_file_whole_and_accepts_an_xlsx(
    client: Client, fees: dict[str, Any], custom: Pool
) -> None:
    client.force_login(fees["staff"])
    url = reverse("fees:pool_weights_import", kwargs={"pool_slug": "salon"})
    bad = SimpleUploadedFile("poids.csv", _csv(fees, "coop-olive;1", "coop-miel;-2"), content_type="text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Import refusé" in body
    assert '<td class="num">3</td><td>poids</td>' in body
    assert CustomWeight.objects.count() == 0
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # regression: miel's ICE typed as a number (its leading zeros gone) still names miel
    miel_ice = fees["registered"].ice
    assert miel_ice.startswith("00")
    for row in (("membre", "poids"), ("coop-olive", 1), (int(miel_ice), 2.5)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    good = SimpleUploadedFile("poids.xlsx", buffer.getvalue())
    done = client.post(url, {"file": good})
    assert done["Location"] == reverse("fees:pool_detail", kwargs={"pool_slug": "salon"})
    assert weights(custom) == {"coop-olive": D("1.00"), "coop-miel": D("2.50")}
    page = client.get(done["Location"]).content.decode()
    assert 'data-member="coop-miel"' in page
    assert "2,50" in page
    template = client.get(reverse("fees:pool_weights_template", kwargs={"fmt": "xlsx"}))
    header = next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(values_only=True))
    assert header == ("membre", "poids")
    assert client.get(reverse("fees:pool_weights_template", kwargs={"fmt": "csv"})).content.decode() == (
        "\ufeffmembre,poids\r\n"
    )
