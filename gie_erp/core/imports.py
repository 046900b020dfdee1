"""Spreadsheet imports, all-or-nothing: read every row, collect every error, write only when there are none.

Each import declares its ``ImportLimits``; a file above them is refused before it is parsed, and the rows are parsed
and checked before the import opens its write transaction (on SQLite a transaction holds the one write lock).
``read_table`` reads a file whole; ``iter_table`` row by row, for files too large to hold as dicts (a fair's paper
tally). ``import_with_report`` (and ``gie_erp.core.import_pages.import_page``) shows the outcome on a page.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy, override
from openpyxl import load_workbook

from gie_erp.core.errors import DomainError, ErrorCode, error_message

REPORT_LANGUAGES = ("fr", "ar")
BROKEN_XLSX = gettext_lazy("le fichier XLSX est abîmé ou incomplet ; réenregistrez-le depuis le tableur")
MB = 1024 * 1024
#: an XLSX is a zip: its unpacked parts may not exceed this many times the import's byte limit (zip bombs)
XLSX_UNPACKED_RATIO = 30


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """What one import accepts: bytes of the uploaded file, data rows, and errors listed in the report."""

    max_bytes: int
    max_rows: int
    max_errors: int = 200

    def check_size(self, size: int) -> None:
        """Refuse a file above the byte limit before reading it."""
        if size > self.max_bytes:
            raise DomainError(ErrorCode.IMPORT_TOO_LARGE, size=f"{size / MB:.1f}", limit=f"{self.max_bytes / MB:.0f}")


#: Members and cooperators: a region has ~2,000 cooperatives and tens of thousands of cooperators.
MEMBER_LIMITS = ImportLimits(max_bytes=5 * MB, max_rows=50_000)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the user sees it in the spreadsheet: the header is row 1
    field: str
    code: ErrorCode
    params: dict[str, Any]
    #: the import's own wording (a lazy string, e.g. with a plural), shown instead of the code's message
    text: Any = None

    def messages(self) -> dict[str, str]:
        """The message in every report language (French and Arabic side by side)."""
        if self.text is None:
            return {lang: error_message(self.code, self.params, lang) for lang in REPORT_LANGUAGES}
        messages = {}
        for lang in REPORT_LANGUAGES:
            with override(lang):
                messages[lang] = str(self.text)
        return messages


@dataclass
class ImportReport:
    rows_read: int = 0
    rows_written: int = 0
    errors: list[RowError] = field(default_factory=list)
    max_errors: int = 200
    error_count: int = 0  # every error found; ``errors`` keeps the first ``max_errors``

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def errors_not_listed(self) -> int:
        return self.error_count - len(self.errors)

    def add(self, row: int, field_name: str, code: ErrorCode, **params: Any) -> None:
        """One error; a ``field`` parameter (e.g. the column's lazy label) replaces the column name in the message."""
        self.add_error(RowError(row=row, field=field_name, code=code, params={"field": field_name, **params}))

    def add_error(self, error: RowError) -> None:
        """One error as built by the import (with its own ``text``, say)."""
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(error)

    def sort(self) -> None:
        """The errors listed in the file's order (a check made per ticket or per group may find them out of it)."""
        self.errors.sort(key=lambda error: error.row)

    def as_rows(self) -> list[dict[str, str | int]]:
        """One dict per error in the file's order, for a page or a CSV error report."""
        out: list[dict[str, str | int]] = []
        for err in sorted(self.errors, key=lambda error: error.row):
            messages = err.messages()
            out.append({"row": err.row, "field": err.field, "code": err.code.value, **messages})
        return out


class ImportRefused(DomainError):
    """Raised by an import service when any row is wrong; nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        first = report.errors[0]
        super().__init__(first.code, **first.params)


def _cell_text(value: Any, *, keep_time: bool = False) -> str:
    """A spreadsheet cell as text: a date-time as its date (or date and time with ``keep_time`` when the time is not
    midnight), an integer-valued number without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if keep_time and (value.hour, value.minute, value.second) != (0, 0, 0):
            return value.isoformat(sep=" ")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):  # float-ok: openpyxl hands numeric cells as float; keep integers exact
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def upload_content(upload: Any, limits: ImportLimits) -> bytes:
    """The bytes of an uploaded file, refused before reading when it is above the import's limit."""
    limits.check_size(int(getattr(upload, "size", 0) or 0))
    content: bytes = upload.read(limits.max_bytes + 1)
    limits.check_size(len(content))
    return content


def _header(cells: list[str]) -> list[str]:
    """Lower-case header names; a name given twice is refused (which column would win?)."""
    header = [cell.strip().lower() for cell in cells]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DomainError(ErrorCode.IMPORT_DUPLICATE_COLUMN, value=name[:60])
        seen.add(name)
    return header


class TableRow(dict[str, str]):
    """One data row keyed by lower-case header, with its row number in the file as the person sees it (the header
    is row 1; blank rows are skipped but still counted)."""

    number: int


def _xlsx_cells(content: bytes, limits: ImportLimits, *, keep_time: bool) -> Iterator[tuple[int, list[str]]]:
    """Every row of the first sheet, numbered from 1, blank ones included; an unpacked size above the limits (a
    zip bomb) or a broken file is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > limits.max_bytes * XLSX_UNPACKED_RATIO:
            raise DomainError(
                ErrorCode.IMPORT_TOO_LARGE, size=f"{unpacked / MB:.1f}", limit=f"{limits.max_bytes / MB:.0f}"
            )
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception:  # a broken or truncated file: zipfile, XML and openpyxl each raise their own
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=BROKEN_XLSX) from None
    try:
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value, keep_time=keep_time) for value in values]
    except DomainError:
        raise
    except Exception:  # a sheet's XML can be cut anywhere
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=BROKEN_XLSX) from None
    finally:
        workbook.close()


def _csv_cells(content: bytes, limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
    """Every record of a UTF-8 CSV (comma, semicolon or tab, as its first line shows), numbered from 1, cells
    stripped; a file of more lines than the limits is refused before anything is decoded.

    Only the delimiter is taken from the first line: the quoting is always the one spreadsheets write (cells in
    ``"``, a ``"`` inside doubled), which a header without quotes cannot show — guessed from it, ``""`` inside a
    cell such as ``"=HYPERLINK(""http://…"",""clic"")"`` would end the cell and shift every later column."""
    if content.count(b"\n") > limits.max_rows + 1:  # counted before decoding or parsing anything
        raise DomainError(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=limits.max_rows)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(ErrorCode.IMPORT_NOT_UTF8) from None
    if not text.strip():
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    first = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        if any(mark in first for mark in ",;\t"):
            raise DomainError(ErrorCode.IMPORT_FORMAT, detail=first[:80]) from None
        delimiter = ","  # a sheet of one column: no delimiter to see
    try:
        records = csv.reader(
            io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=False
        )
        for number, record in enumerate(records, start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error as exc:
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=str(exc)[:200]) from None


def _xlsx_rows(content: bytes, limits: ImportLimits) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    for number, cells in _xlsx_cells(content, limits, keep_time=False):
        if not any(cells):  # formatted but empty rows are not rows
            continue
        if len(rows) > limits.max_rows:  # the header plus max_rows data rows, then stop reading
            raise DomainError(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=limits.max_rows)
        rows.append((number, cells))
    return rows


def _csv_rows(content: bytes, limits: ImportLimits) -> list[tuple[int, list[str]]]:
    return [(number, cells) for number, cells in _csv_cells(content, limits) if cells]


def _format(filename: str) -> str:
    """``xlsx`` or ``csv`` by the file's suffix; any other is refused."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in {".csv", ".txt"}:
        return "csv"
    raise DomainError(ErrorCode.IMPORT_FORMAT, detail=(suffix or filename)[:40])


def read_table(filename: str, content: bytes, limits: ImportLimits = MEMBER_LIMITS) -> list[TableRow]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file as dicts keyed by lower-case header, each with its
    row number in the file (``row.number``: what error reports must quote).

    Refused as a whole (DomainError, nothing parsed further): a file above ``limits``, an unreadable or truncated
    file, a header naming a column twice, a NUL character anywhere (PostgreSQL cannot store it).
    """
    limits.check_size(len(content))
    table = _xlsx_rows(content, limits) if _format(filename) == "xlsx" else _csv_rows(content, limits)
    if not table:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    header = _header(table[0][1])
    rows: list[TableRow] = []
    for number, cells in table[1:]:
        if any("\x00" in cell for cell in cells):
            raise DomainError(ErrorCode.IMPORT_NUL, row=number)
        row = TableRow({name: value for name, value in zip(header, cells, strict=False) if name})
        row.number = number
        if any(row.values()):  # blank lines are not rows (but keep their place in the numbering)
            rows.append(row)
    if any("\x00" in name for name in header):
        raise DomainError(ErrorCode.IMPORT_NUL, row=1)
    if len(rows) > limits.max_rows:
        raise DomainError(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=limits.max_rows)
    if not rows:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    return rows


def iter_table(filename: str, content: bytes, limits: ImportLimits) -> tuple[list[str], Iterator[TableRow]]:
    """The header (lower-case names) and an iterator over the data rows of a CSV (UTF-8, comma, semicolon or tab)
    or XLSX file, each keyed by header with its row number in the file (``row.number``): for imports too large to
    hold as a list of dicts (a fair's paper tally: 200,000 lines). Unlike ``read_table``, a cell keeps the time of
    a date-time (a sale's hour matters there).

    The file is refused as a whole (DomainError) before any row when it is above the byte limit, unreadable, empty,
    or names a column twice; while iterating, when it holds more than ``limits.max_rows`` rows, a NUL character or
    a cut. Callers check every row before writing anything, so a refusal half-way writes nothing.
    """
    limits.check_size(len(content))
    xlsx = _format(filename) == "xlsx"
    cells = _xlsx_cells(content, limits, keep_time=True) if xlsx else _csv_cells(content, limits)
    first = next((row for row in cells if any(row[1])), None)
    if first is None:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    if any("\x00" in name for name in first[1]):
        raise DomainError(ErrorCode.IMPORT_NUL, row=first[0])
    header = _header(first[1])

    def rows() -> Iterator[TableRow]:
        count = 0
        for number, values in cells:
            if not any(values):
                continue  # blank lines are not rows (but keep their place in the numbering)
            if any("\x00" in value for value in values):
                raise DomainError(ErrorCode.IMPORT_NUL, row=number)
            count += 1
            if count > limits.max_rows:
                raise DomainError(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=limits.max_rows)
            row = TableRow({name: value for name, value in zip(header, values, strict=False) if name})
            row.number = number
            yield row
        if not count:
            raise DomainError(ErrorCode.IMPORT_EMPTY)

    return header, rows()


def validation_reason(error: Any) -> Any:
    """The text of a Django ValidationError, rendered in the language active when it is shown (the report lists
    French and Arabic side by side)."""
    message, params = error.message, error.params

    def render() -> str:
        return str(message % params) if params else str(message)  # plural messages choose their form here

    return lazy(render, str)()


def parse_date(report: ImportReport, row: int, field_name: str, value: str) -> date | None:
    """An ISO date or DD/MM/YYYY; empty gives None; anything else is a row error."""
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone involved
        except ValueError:
            continue
    report.add(row, field_name, ErrorCode.IMPORT_BAD_DATE, value=value)
    return None


def import_with_report(request: Any, context: dict[str, Any], run: Callable[[], Any]) -> Any | None:
    """Run an import for a page: on refusal put the row-by-row report in ``context["errors"]`` and say that nothing
    was written; on another refusal show its message. Returns the import's result, or None when refused."""
    from django.contrib import messages
    from django.utils.translation import gettext

    try:
        return run()
    except ImportRefused as refused:
        context["errors"] = refused.report.as_rows()
        context["errors_not_listed"] = refused.report.errors_not_listed
        messages.error(request, gettext("Import refusé : aucune ligne n'a été enregistrée."))
    except DomainError as error:
        messages.error(request, error.message())
    return None
