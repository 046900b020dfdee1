"""Spreadsheet imports, all-or-nothing: read every row, collect every error, write only when there are none."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook

from gie_erp.core.errors import DomainError, ErrorCode, error_message

REPORT_LANGUAGES = ("fr", "ar")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the user sees it in the spreadsheet: the header is row 1
    field: str
    code: ErrorCode
    params: dict[str, Any]

    def messages(self) -> dict[str, str]:
        """The message in every report language (French and Arabic side by side)."""
        return {lang: error_message(self.code, self.params, lang) for lang in REPORT_LANGUAGES}


@dataclass
class ImportReport:
    rows_read: int = 0
    rows_written: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, field_name: str, code: ErrorCode, **params: Any) -> None:
        self.errors.append(RowError(row=row, field=field_name, code=code, params={"field": field_name, **params}))

    def as_rows(self) -> list[dict[str, str | int]]:
        """One dict per error, for a page or a CSV error report."""
        out: list[dict[str, str | int]] = []
        for err in self.errors:
            messages = err.messages()
            out.append({"row": err.row, "field": err.field, "code": err.code.value, **messages})
        return out


class ImportRefused(DomainError):
    """Raised by an import service when any row is wrong; nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        first = report.errors[0]
        super().__init__(first.code, **first.params)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):  # float-ok: openpyxl hands numeric cells as float; keep integers exact
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file as dicts keyed by lower-case header."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix == ".xlsx":
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows_iter = sheet.iter_rows(values_only=True)
            header = [_cell_text(h).lower() for h in next(rows_iter, ())]
            rows = [dict(zip(header, (_cell_text(v) for v in row), strict=False)) for row in rows_iter]
            workbook.close()
        elif suffix in {".csv", ".txt"}:
            text = content.decode("utf-8-sig")
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
            reader = csv.DictReader(io.StringIO(text), dialect=dialect)
            rows = [
                {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
                for row in reader
            ]
        else:
            raise DomainError(ErrorCode.IMPORT_FORMAT, detail=suffix or filename)
    except (UnicodeDecodeError, csv.Error, StopIteration, OSError, KeyError, ValueError) as exc:
        raise DomainError(ErrorCode.IMPORT_FORMAT, detail=str(exc)[:200]) from None
    rows = [row for row in rows if any(row.values())]  # blank lines at the end of a sheet are not rows
    if not rows:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    return rows


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
        messages.error(request, gettext("Import refusé : aucune ligne n'a été enregistrée."))
    except DomainError as error:
        messages.error(request, error.message())
    return None
