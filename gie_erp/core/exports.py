"""Every list can leave as CSV or XLSX: one function builds either response from headers and rows."""

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, *, default: str = "export") -> str:
    """A download name made of ASCII letters, digits, dots, dashes and underscores: whatever a user typed into the
    parts it is built from (a slug, an account code, a date) cannot break the ``Content-Disposition`` header."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE_FILENAME.sub("-", ascii_name).strip(".-")[:150]
    return cleaned or default


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` value of a download; every response that names a file goes through here."""
    return f'{"inline" if inline else "attachment"}; filename="{safe_filename(filename)}"'


#: text that a spreadsheet would read as a formula (or a DDE call) when it starts a cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
AMOUNT_FORMAT = "#,##0.00"
PRECISE_FORMAT = "#,##0.00####"
DATE_FORMAT = "DD/MM/YYYY"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet would take this text for a formula."""
    return value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: formula-like text gets a leading apostrophe (OWASP); numbers stay; a
    yes/no reads ``oui``/``non`` as in the XLSX (not Python's True/False)."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters openpyxl refuses (a 500 otherwise)
        if not is_formula_like(value):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl made it a formula ("f"): written as plain text instead
        return cell
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal):  # an amount; a finer figure (an exact share, a weight) keeps its places
            exponent = value.as_tuple().exponent
            cell.number_format = PRECISE_FORMAT if isinstance(exponent, int) and exponent < -2 else AMOUNT_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


#: the rows a column's width is measured on (a long export is not read twice)
WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 10, 60


def _shown_length(value: Any) -> int:
    """About the characters Excel shows for a cell: an amount with its thousands separators and two places."""
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}") + 1
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Each column as wide as its header or its widest cell among ``rows`` (plus a margin), within bounds."""
    widths = [len(str(header)) for header in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            if value is not None:
                widths[index] = max(widths[index], _shown_length(value))
    return [max(MIN_WIDTH, min(width + 2, MAX_WIDTH)) for width in widths]


def sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: 31 characters, none of ``[]:*?/\\``."""
    return (_SHEET_FORBIDDEN.sub("-", name).strip("'") or "Export")[:31]


def table_response(
    *,
    filename: str,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_name: str | None = None,
) -> HttpResponse:
    """A download of the table. XLSX: a named sheet, the header row frozen and filtered, amounts and dates as
    formatted numbers; CSV: UTF-8 with BOM, amounts with a dot (what Excel re-imports). In both, a text cell that
    starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written as text, never as a live formula."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title(sheet_name or filename))
        rows = iter(rows)
        first_rows = list(itertools.islice(rows, WIDTH_SAMPLE))
        for index, width in enumerate(column_widths(headers, first_rows), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, str(header)) for header in headers])
        count = 0
        for row in itertools.chain(first_rows, rows):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
            count += 1
        if headers:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow([csv_cell(str(header)) for header in headers])
        writer.writerows([csv_cell(value) for value in row] for row in rows)
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = content_disposition(f"{filename}.{fmt}")
    return response
