"""The combined accounts as a PDF, in the reader's language (French, or Arabic right to left), on the shared PDF base
(``gie_erp.core.pdf``): the combined trial balance (a column per book when there are at most twelve, on landscape
pages when they make it wide), the Bilan and CPC in the Moroccan layout, the eliminated pairs, the differences with
their likely cause and the flows outside the set."""

from datetime import date
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from gie_erp.combine.exports import codes, cpc_results
from gie_erp.combine.selectors import SCREEN_COLUMNS, CombinedAccounts
from gie_erp.core.money import from_centimes
from gie_erp.core.pdf import amount_html, render_pdf
from ledger.statements import StatementSection

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "combine" / "pdf"
STYLESHEET = TEMPLATE_DIR / "combined.css"
#: with more book columns than this the trial balance is printed on landscape pages
PORTRAIT_COLUMNS = 3
#: pairs printed per list (a region has thousands: the XLSX lists them all)
PRINTED_PAIRS = 300


def _amount(centimes: int) -> Any:
    return amount_html(from_centimes(centimes))


def _sections(sections: list[StatementSection], language: str, *, with_contra: bool) -> list[dict[str, Any]]:
    out = []
    for section in sections:
        out.append(
            {
                "label": section.label_ar if language == "ar" else section.label_fr,
                "lines": [
                    {
                        "label": line.label_ar if language == "ar" else line.label_fr,
                        "gross": _amount(line.gross) if with_contra and line.gross else "",
                        "contra": _amount(line.contra) if with_contra and line.contra else "",
                        "net": _amount(line.net) if line.net else "",
                    }
                    for line in section.lines
                ],
                "net": _amount(section.net),
            }
        )
    return out


def combined_context(accounts: CombinedAccounts, *, language: str, printed_on: date) -> dict[str, Any]:
    tb = accounts.trial_balance
    per_book = len(tb.columns) <= SCREEN_COLUMNS
    width = len(tb.columns) if per_book else 0
    return {
        "language": language,
        "direction": "rtl" if language == "ar" else "ltr",
        "landscape": width > PORTRAIT_COLUMNS,
        "start": f"{tb.start:%d/%m/%Y}",
        "end": f"{tb.end:%d/%m/%Y}",
        "printed_on": f"{printed_on:%d/%m/%Y}",
        "columns": [column.name(language) for column in tb.columns],
        "per_book": per_book,
        "books": len(tb.columns),
        "rows": [
            {
                "code": row.code,
                "name": row.name(language),
                "by_book": [_amount(v) if v else "" for v in row.by_book] if per_book else [],
                "total": _amount(row.total),
                "eliminations": _amount(row.eliminations) if row.eliminations else "",
                "combined": _amount(row.combined),
            }
            for row in tb.rows
        ],
        "column_totals": [_amount(sum(r.by_book[i] for r in tb.rows)) for i in range(width)],
        "totals": [_amount(sum(getattr(r, key) for r in tb.rows)) for key in ("total", "eliminations", "combined")],
        "actif": _sections(accounts.bilan.actif, language, with_contra=True),
        "passif": _sections(accounts.bilan.passif, language, with_contra=False),
        "total_actif": _amount(accounts.bilan.total_actif),
        "total_passif": _amount(accounts.bilan.total_passif),
        "cpc": [
            {"key": key, **section}
            for key, section in zip(
                accounts.cpc.sections,
                _sections(list(accounts.cpc.sections.values()), language, with_contra=False),
                strict=True,
            )
        ],
        "results": [(key, label, _amount(value)) for key, label, value in cpc_results(accounts.cpc)],
        "eliminated": [_pair(line, language) for line in tb.eliminated_lines(PRINTED_PAIRS)],
        "differences": [_pair(line, language) for line in tb.differences[:PRINTED_PAIRS]],
        "counts": {"eliminated": tb.eliminated_count, "differences": len(tb.differences), "outside": len(tb.outside)},
        "printed_pairs": PRINTED_PAIRS,
        "outside": [
            {
                "rule": o.rule_label(language),
                "book": o.book.name(language),
                "partner": o.partner.name(language),
                "codes": codes(o.accounts),
                "amount": _amount(o.amount),
            }
            for o in tb.outside[:PRINTED_PAIRS]
        ],
    }


def _pair(line: Any, language: str) -> dict[str, Any]:
    return {
        "rule": line.rule_label(language),
        "left": line.left.name(language),
        "left_codes": codes(line.left_accounts),
        "left_amount": _amount(line.left_amount),
        "right": line.right.name(language),
        "right_codes": codes(line.right_accounts),
        "right_amount": _amount(line.right_amount),
        "difference": _amount(line.difference),
        "cause": line.cause_label(language),
    }


def combined_pdf(accounts: CombinedAccounts, *, language: str, printed_on: date) -> bytes:
    """The PDF bytes (raises PdfRenderError if WeasyPrint warns)."""
    with translation.override(language):
        html = render_to_string(
            "combine/pdf/combined.html", combined_context(accounts, language=language, printed_on=printed_on)
        )
    return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[STYLESHEET])
