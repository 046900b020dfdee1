"""The combined accounts as one XLSX workbook of several sheets, written straight as SpreadsheetML.

``gie_erp.core.exports.table_response`` makes one sheet through openpyxl; the wide trial balance has a column per
book (1,631 at region scale: 130,000 cells), which openpyxl without lxml writes in about 4 s. Written here as
strings, the same workbook takes a tenth of that. It keeps the conventions of the core exports: amounts as numbers
in the ``#,##0.00`` format, the header row frozen (and the account columns beside it) and filtered, columns as wide as
their content (``core.exports.column_widths``), and text always as text: cells are inline strings, never formulas,
so nothing a user typed can run in a spreadsheet. Arabic workbooks read right to left. What keeps it fast: each text
is escaped once per sheet, cells carry no reference (optional in SpreadsheetML: a cell is the next column), and the
archive is compressed at level 1.
"""

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from gie_erp.core.exports import WIDTH_SAMPLE, column_widths, sheet_title

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: cell styles (cellXfs): 0 plain, 1 an amount (built-in format 4 is "#,##0.00"), 2 a header (bold)
AMOUNT_STYLE, HEADER_STYLE = 1, 2
STYLES = f"""{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    frozen_columns: int = 0  # the columns kept in view when scrolling sideways (account code and name)


def _text(value: str) -> str:
    return escape(ILLEGAL_CHARACTERS_RE.sub("", value))


class _Texts(dict[str, str]):
    """The inline-string body of each text, escaped once: a region's sheets repeat the same codes and labels."""

    def __missing__(self, value: str) -> str:
        text = _text(value)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        body = self[value] = f' t="inlineStr"><is><t{space}>{text}</t></is></c>'
        return body


def _cells(row: Sequence[Any], number: int, texts: _Texts, *, style: int = 0) -> str:
    """One row's XML (the hot loop: a region's workbook has 600,000 cells). Cells carry no reference (``r`` is
    optional in SpreadsheetML: a cell is the next column), so an empty one is written as ``<c/>``."""
    parts = [f'<row r="{number}">']
    append = parts.append
    opening = f'<c s="{style}"' if style else "<c"
    for value in row:
        kind = type(value)
        if kind is Decimal or kind is int:
            append(f'<c s="{AMOUNT_STYLE}"><v>{value}</v></c>')
        elif value is None or value == "":
            append("<c/>")
        elif kind is bool:
            append(opening + texts["oui" if value else "non"])
        else:
            append(opening + texts[str(value)])
    append("</row>")
    return "".join(parts)


def _sheet_xml(sheet: Sheet, *, right_to_left: bool) -> str:
    width = len(sheet.headers)
    widths = column_widths(sheet.headers, sheet.rows[:WIDTH_SAMPLE])
    frozen = sheet.frozen_columns
    corner = f"{get_column_letter(frozen + 1)}2"
    pane = (
        f'<pane xSplit="{frozen}" ySplit="1" topLeftCell="{corner}" activePane="bottomRight" state="frozen"/>'
        if frozen
        else '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    )
    direction = ' rightToLeft="1"' if right_to_left else ""
    view = f'<sheetView workbookViewId="0"{direction}>{pane}</sheetView>'
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    texts = _Texts()
    body = [_cells([str(h) for h in sheet.headers], 1, _Texts(), style=HEADER_STYLE)]
    body += [_cells(row[:width], number, texts) for number, row in enumerate(sheet.rows, start=2)]
    last = f"{get_column_letter(width)}{len(sheet.rows) + 1}" if width else "A1"
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
        f'<sheetData>{"".join(body)}</sheetData><autoFilter ref="A1:{last}"/></worksheet>'
    )


def _titles(sheets: Iterable[Sheet]) -> list[str]:
    """Excel's sheet names, unique (31 characters, none of ``[]:*?/\\``)."""
    titles: list[str] = []
    for sheet in sheets:
        title = sheet_title(sheet.title)
        base, n = title, 2
        while title.lower() in (t.lower() for t in titles):
            title = f"{base[:28]} {n}"
            n += 1
        titles.append(title)
    return titles


def workbook_bytes(sheets: Sequence[Sheet], *, right_to_left: bool = False) -> bytes:
    """An XLSX file of these sheets, in order."""
    titles = _titles(sheets)
    count = len(sheets)
    content_types = (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        + "</Types>"
    )
    root_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{_text(title).replace(chr(39), chr(39) * 2)}'!$A$1:${get_column_letter(max(len(s.headers), 1))}"
        f"${len(s.rows) + 1}</definedName>"
        for i, (title, s) in enumerate(zip(titles, sheets, strict=True))
    )
    workbook = (
        f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
        + "".join(
            f'<sheet name="{_text(title)}" sheetId="{i}" r:id="rId{i}"/>' for i, title in enumerate(titles, start=1)
        )
        + f"</sheets><definedNames>{names}</definedNames></workbook>"
    )
    workbook_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        + f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", STYLES)
        for i, sheet in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheet, right_to_left=right_to_left))
    return buffer.getvalue()
