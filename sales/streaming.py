"""A spreadsheet read row by row, for imports too large to hold as a list of dicts (a fair's paper tally: 200,000
lines). Same rules as ``gie_erp.core.imports.read_table`` (limits, one header, no column twice, no NUL, blank rows
skipped but counted), but rows are yielded as they are read and cells keep the time of a date-time (a sale's
hour matters here, where ``read_table`` keeps the date only).

(A candidate for ``gie_erp.core.imports.iter_table``: it depends on nothing in sales.)
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import BROKEN_XLSX, MB, XLSX_UNPACKED_RATIO, ImportLimits, TableRow


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if (value.hour, value.minute, value.second) != (0, 0, 0) else str(value.date())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):  # float-ok: openpyxl hands numeric cells as float; keep integers exact
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _xlsx_cells(content: bytes, limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
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
            yield number, [_cell(value) for value in values]
    except DomainError:
        raise
    except Exception:  # a sheet's XML can be cut anywhere
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=BROKEN_XLSX) from None
    finally:
        workbook.close()


def _csv_cells(content: bytes, limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
    if content.count(b"\n") > limits.max_rows + 1:  # counted before decoding or parsing anything
        raise DomainError(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=limits.max_rows)
    try:
        text = content.decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except UnicodeDecodeError:
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail="UTF-8") from None
    except csv.Error as exc:
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=str(exc)[:200]) from None
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), dialect=dialect), start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error as exc:
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=str(exc)[:200]) from None


def iter_table(filename: str, content: bytes, limits: ImportLimits) -> tuple[list[str], Iterator[TableRow]]:
    """The header (lower-case names) and an iterator over the data rows of a CSV (UTF-8, comma, semicolon or tab)
    or XLSX file, each keyed by header with its row number in the file (``row.number``).

    The file is refused as a whole (DomainError) before any row when it is above the byte limit, unreadable, empty,
    or names a column twice; while iterating, when it holds more than ``limits.max_rows`` rows, a NUL character or
    a cut. Callers check every row before writing anything, so a refusal half-way writes nothing.
    """
    limits.check_size(len(content))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        cells = _xlsx_cells(content, limits)
    elif suffix in {".csv", ".txt"}:
        cells = _csv_cells(content, limits)
    else:
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=(suffix or filename)[:40])
    first = next((row for row in cells if any(row[1])), None)
    if first is None:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    header = [cell.strip().lower() for cell in first[1]]
    if any("\x00" in name for name in header):
        raise DomainError(ErrorCode.IMPORT_NUL, row=first[0])
    named = [name for name in header if name]
    for name in named:
        if named.count(name) > 1:
            raise DomainError(ErrorCode.IMPORT_DUPLICATE_COLUMN, value=name[:60])

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
