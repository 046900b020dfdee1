"""``iter_table``: a spreadsheet read row by row (the paper tally's 200,000 lines), with ``read_table``'s rules —
limits, one header, no column twice, no NUL, blank rows skipped but counted — and the time of date-time cells kept."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import MB, ImportLimits, iter_table, read_table

LIMITS = ImportLimits(max_bytes=MB, max_rows=3)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_rows_keep_their_number_and_a_date_time_its_hour() -> None:
    content = xlsx([[None], ["Ticket_ID", "sold_at"], ["t1", datetime(2026, 11, 21, 11, 5)], [None, None],
                    ["t2", datetime(2026, 11, 22)]])  # fmt: skip
    header, rows = iter_table("f.xlsx", content, LIMITS)
    assert header == ["ticket_id", "sold_at"]
    assert [(row.number, dict(row)) for row in rows] == [
        (3, {"ticket_id": "t1", "sold_at": "2026-11-21 11:05:00"}),
        (5, {"ticket_id": "t2", "sold_at": "2026-11-22"}),
    ]
    # read_table keeps the date only, as before
    assert [row["sold_at"] for row in read_table("f.xlsx", content, LIMITS)] == ["2026-11-21", "2026-11-22"]


def test_csv_with_semicolons_and_blank_lines() -> None:
    header, rows = iter_table("f.csv", b"a;b\n1;2\n\n;\n3;4\n", ImportLimits(max_bytes=MB, max_rows=10))
    assert header == ["a", "b"]
    assert [(row.number, row["a"], row["b"]) for row in rows] == [(2, "1", "2"), (5, "3", "4")]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("f.csv", b"a,b,A\n1,2,3\n", ErrorCode.IMPORT_DUPLICATE_COLUMN),
        ("f.xlsx", xlsx([[None, None], [None]]), ErrorCode.IMPORT_EMPTY),
        ("f.csv", b"a,b\n", ErrorCode.IMPORT_EMPTY),  # a header and no row: said once the rows are read
        ("f.csv", b"a,b\n1,2\n3,4\n5,6\n7,8\n", ErrorCode.IMPORT_TOO_MANY_ROWS),
        ("f.csv", b"a,b\n1,2\n3,\x004\n", ErrorCode.IMPORT_NUL),
        ("f.csv", b"a,b\n\xff\xfe,1\n", ErrorCode.IMPORT_NOT_UTF8),
        ("f.ods", b"a,b\n", ErrorCode.IMPORT_FORMAT),
        ("f.xlsx", b"PK\x03\x04broken", ErrorCode.IMPORT_FORMAT),
    ],
)
def test_refusals(name: str, content: bytes, code: ErrorCode) -> None:
    def read_all() -> None:
        _header, rows = iter_table(name, content, LIMITS)
        list(rows)

    with pytest.raises(DomainError) as refused:
        read_all()
    assert refused.value.code == code


def test_a_file_above_the_byte_limit_is_refused_before_reading() -> None:
    with pytest.raises(DomainError) as refused:
        iter_table("f.csv", b"a\n" + b"1\n" * 10, ImportLimits(max_bytes=8, max_rows=100))
    assert refused.value.code == ErrorCode.IMPORT_TOO_LARGE
