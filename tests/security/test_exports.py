"""Exports (security finding 3, and 8's file names): text that looks like a formula stays text, numbers stay numbers,
and no file name built from user input can break the response header."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gie_erp.core.exports import content_disposition, safe_filename, table_response
from tests.factories.members import OrganizationFactory

DANGEROUS = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]


def _xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_formula_like_text_is_text_in_xlsx_and_numbers_stay_numbers():
    rows = [(text, Decimal("-12.50"), date(2026, 3, 2), 7) for text in DANGEROUS]
    sheet = _xlsx(table_response(filename="t", fmt="xlsx", headers=["Nom", "Montant", "Date", "N"], rows=rows))
    for index, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=index, column=1)
        assert cell.data_type == "s", text  # openpyxl wrote "f" (a live formula) before
        assert cell.value == text.replace("\r", "\n")  # XML keeps no bare CR
        amount = sheet.cell(row=index, column=2)
        assert (amount.data_type, amount.value, amount.number_format) == ("n", -12.5, "#,##0.00")
        assert sheet.cell(row=index, column=3).number_format == "DD/MM/YYYY"
        assert sheet.cell(row=index, column=4).value == 7


def test_formula_like_text_is_quoted_in_csv_and_numbers_are_not():
    rows = [(text, Decimal("-12.50")) for text in DANGEROUS]
    response = table_response(filename="t", fmt="csv", headers=["nom", "montant"], rows=rows)
    read = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in read[1:]] == ["'" + text for text in DANGEROUS]
    assert {row[1] for row in read[1:]} == {"-12.50"}


def test_a_yes_no_reads_oui_non_in_csv_as_in_xlsx():
    """QA: the session's enrolments CSV wrote Python's True/False where its XLSX wrote oui/non."""
    response = table_response(filename="t", fmt="csv", headers=["promu", "tard"], rows=[(True, False)])
    assert response.content.decode("utf-8-sig").splitlines()[1] == "oui,non"
    sheet = load_workbook(io.BytesIO(table_response(filename="t", fmt="xlsx", headers=["a", "b"],
                                                    rows=[(True, False)]).content)).active  # fmt: skip
    assert [cell.value for cell in sheet[2]] == ["oui", "non"]


def test_a_plain_name_is_untouched():
    response = table_response(filename="t", fmt="csv", headers=["nom"], rows=[("Coopérative Al-Amal",)])
    assert response.content.decode("utf-8-sig").splitlines()[1] == "Coopérative Al-Amal"


def test_the_xlsx_sheet_is_named_frozen_and_filtered():
    response = table_response(
        filename="balance-coop-a", fmt="xlsx", headers=["Compte", "Débit"], rows=[("5141", Decimal("1.00"))] * 3,
        sheet_name="Balance générale",
    )  # fmt: skip
    sheet = _xlsx(response)
    assert sheet.title == "Balance générale"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B4"


def test_control_characters_do_not_break_an_export():
    sheet = _xlsx(table_response(filename="t", fmt="xlsx", headers=["nom"], rows=[("Coop\x01\x08 A",)]))
    assert sheet.cell(row=2, column=1).value == "Coop A"


@pytest.mark.parametrize(
    ("name", "expected"),
    [('a"b\r\nSet-Cookie: x=1', "a-b-Set-Cookie-x-1"), ("grand-livre-coop-5141\n", "grand-livre-coop-5141"),
     ("../../etc/passwd", "etc-passwd"), ("relevé-تعاونية", "releve"), ("", "export")],
)  # fmt: skip
def test_file_names_are_sanitised(name, expected):
    assert safe_filename(name) == expected
    assert "\n" not in content_disposition(name)
    assert "\r" not in content_disposition(name)


@pytest.mark.django_db
def test_a_member_named_like_a_formula_exports_as_text(client, accountant):
    OrganizationFactory(slug="coop-f", legal_name_fr='=HYPERLINK("http://evil","x")')
    client.force_login(accountant)
    sheet = _xlsx(client.get("/members/?export=xlsx"))
    cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=HYPERLINK")]
    assert [cell.data_type for cell in cells] == ["s"]
    text = client.get("/members/?export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_a_figure_finer_than_the_centime_keeps_its_places_in_xlsx():
    """Regression (user pass): a fee run's exact share 125.0625 showed as 125,06, like the rounded share."""
    rows = [(Decimal("125.062500"), Decimal("125.06"), Decimal("3"))]
    sheet = _xlsx(table_response(filename="t", fmt="xlsx", headers=["exacte", "part", "poids"], rows=rows))
    assert sheet.cell(row=2, column=1).number_format == "#,##0.00####"
    assert sheet.cell(row=2, column=2).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"


def test_xlsx_columns_are_as_wide_as_their_longest_cell_within_bounds():
    # regression: columns were sized on their header alone, so names and amounts showed as ####### or cut
    name = "Coopérative Nissae Ghafsai pour le couscous"  # 43 characters
    rows = [["a", name, Decimal("1234567.89"), "x" * 90], ["b", "court", Decimal("5.00"), ""]]
    response = table_response(filename="t", fmt="xlsx", headers=["id", "nom", "montant", "note"], rows=rows)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    # id: header 2 → the minimum 10; name 43 + 2; "1,234,567.89" is 12 characters + 1 for the sign, + 2; capped at 60
    assert widths == [10, 45, 15, 60]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [name, "court"]
