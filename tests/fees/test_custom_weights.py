"""The custom weights import (CSV/XLSX, all or nothing) and the preview it drives.

Weights olive 1, miel 3 (by ICE), tapis 0 on a 400.00 pool: 100.00 / 300.00, tapis left out (zero weight)."""

import html
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gie_erp.core.errors import DomainError, ErrorCode
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
        (3, "poids", ErrorCode.AMOUNT_NOT_A_NUMBER),  # the grammar's own reason
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


def test_a_refused_weight_says_its_own_reason(fees: dict[str, Any], custom: Pool) -> None:
    """Regression (user pass 2): -2, 999999999999999999 and 1e6 all read "(2 décimales au plus)"."""
    content = _csv(fees, "coop-olive;-2", "coop-miel;999999999999999999", "coop-tapis;1e6")
    with pytest.raises(ImportRefused) as caught:
        custom_weights_import(pool=custom, filename="poids.csv", content=content, acting_user=None)
    messages = [(row["row"], row["fr"]) for row in caught.value.report.as_rows()]
    assert messages == [
        (2, "« -2 » : un poids est positif ou nul (0 : le membre ne paie rien)."),
        (3, "« 999999999999999999 » dépasse le plus grand montant accepté (999\u202f999\u202f999,99)."),
        (4, "« 1e6 » : la notation scientifique n'est pas acceptée, écrivez le montant en chiffres."),
    ]
    assert all("2 décimales" not in str(text) for _row, text in messages)
    assert CustomWeight.objects.count() == 0


def test_english_headers_name_the_missing_column_once(client: Client, fees: dict[str, Any], custom: Pool) -> None:
    """Regression (user pass 2): a sheet headed member,weight got "Champ obligatoire manquant" on every row."""
    content = b"member,weight\ncoop-olive,1\ncoop-miel,3\n"
    with pytest.raises(DomainError) as caught:
        custom_weights_import(pool=custom, filename="poids.csv", content=content, acting_user=None)
    assert caught.value.message() == (
        "Colonne « membre » absente de l'en-tête (lu : member, weight) : la feuille a deux colonnes, membre et poids "
        "(téléchargez le modèle)."
    )
    client.force_login(fees["staff"])
    url = reverse("fees:pool_weights_import", kwargs={"pool_slug": "salon"})
    response = client.post(url, {"file": SimpleUploadedFile("poids.csv", content, content_type="text/csv")})
    body = html.unescape(response.content.decode())
    assert "Colonne « membre » absente de l'en-tête (lu : member, weight)" in body
    assert "Champ obligatoire manquant" not in body
    only_member = b"membre,weight\ncoop-olive,1\n"
    with pytest.raises(DomainError) as missing:
        custom_weights_import(pool=custom, filename="poids.csv", content=only_member, acting_user=None)
    assert missing.value.params["column"] == "poids"
    assert CustomWeight.objects.count() == 0
