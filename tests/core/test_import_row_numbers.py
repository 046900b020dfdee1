"""Row numbers in import reports are the file's own: a blank row in the middle still counts (regression: every
row after a blank line was reported one too low)."""

import io

from openpyxl import Workbook

from gie_erp.core.imports import read_table


def test_csv_rows_keep_their_number_in_the_file_across_blank_lines() -> None:
    content = "slug,nom\ncoop-a,Alpha\n\n,\ncoop-b,Bêta\n".encode()
    rows = read_table("m.csv", content)
    assert [(row.number, row["slug"]) for row in rows] == [(2, "coop-a"), (5, "coop-b")]


def test_xlsx_rows_keep_their_number_in_the_sheet_across_blank_rows() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["slug", "nom"], ["coop-a", "Alpha"], [None, None], [None, None], ["coop-b", "Bêta"]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_table("m.xlsx", buffer.getvalue())
    assert [(row.number, row["slug"]) for row in rows] == [(2, "coop-a"), (5, "coop-b")]
