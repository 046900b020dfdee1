"""The combined accounts as files: the wide XLSX (a sheet each for the trial balance with a column per book, the
Bilan, the CPC, the eliminations, the differences and the flows outside the set), the CSV of the trial balance (one
row per account: code, name, sum of books, eliminations, combined) and the PDF."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from gie_erp.combine.eliminate import CAUSE_LABELS, Accounts
from gie_erp.combine.selectors import CombinedAccounts, CombinedTrialBalance, PairLine
from gie_erp.combine.workbook import Sheet, workbook_bytes
from gie_erp.core.exports import XLSX_TYPE, content_disposition, table_response
from ledger.statements import Cpc, StatementSection

FORMATS = frozenset({"xlsx", "csv", "pdf"})


def cpc_results(cpc: Cpc) -> list[tuple[str, str, int]]:
    """The CPC's intermediate results (key, label, centimes), as the ledger's CPC page shows them."""
    return [
        ("III", _("Résultat d'exploitation"), cpc.operating_result),
        ("VI", _("Résultat financier"), cpc.financial_result),
        ("VII", _("Résultat courant"), cpc.current_result),
        ("X", _("Résultat non courant"), cpc.non_current_result),
        ("XI", _("Résultat avant impôts"), cpc.result_before_tax),
        ("XIII", _("Résultat net"), cpc.net_result),
    ]


def codes(accounts: Accounts) -> str:
    """The accounts of one side of a pair: ``7124, 71272`` (most sides hold one)."""
    if len(accounts) == 1:
        return accounts[0][0]
    return ", ".join(code for code, _amount in accounts)


def _mad(centimes: int) -> Decimal:
    """Integer centimes as a 2-place Decimal: exact (no rounding), and cheaper than a quantize for a region's
    hundreds of thousands of cells."""
    return Decimal(centimes).scaleb(-2)


def trial_balance_rows(tb: CombinedTrialBalance, language: str) -> list[tuple[Any, ...]]:
    """One row per account: code, name, sum of books, eliminations, combined (the CSV and the command)."""
    return [
        (row.code, row.name(language), _mad(row.total), _mad(row.eliminations), _mad(row.combined)) for row in tb.rows
    ]


def trial_balance_headers() -> list[str]:
    return [_("Compte"), _("Intitulé"), _("Somme des livres"), _("Éliminations"), _("Combiné")]


def _statement_rows(side: str, sections: Sequence[StatementSection], language: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for section in sections:
        rows.append((side, section.label_ar if language == "ar" else section.label_fr, None, None, None))
        for line in section.lines:
            label = line.label_ar if language == "ar" else line.label_fr
            rows.append((side, label, _mad(line.gross), _mad(line.contra), _mad(line.net)))
        rows.append((side, _("Total"), _mad(section.gross), _mad(section.contra), _mad(section.net)))
    return rows


def _pair_row(line: PairLine, language: str) -> list[Any]:
    return [
        line.rule_key,
        line.rule_label(language),
        line.left.slug,
        codes(line.left_accounts),
        _mad(line.left_amount),
        line.right.slug,
        codes(line.right_accounts),
        _mad(line.right_amount),
    ]


def _eliminated_rows(tb: CombinedTrialBalance, language: str) -> list[list[Any]]:
    """The eliminated pairs as ``_pair_row`` writes them, straight from the combination (a region has 70,000: no
    ``PairLine`` built for each)."""
    arabic = language.startswith("ar")
    labels = {key: rule.label_ar if arabic and rule.label_ar else rule.label_fr for key, rule in tb.rules.items()}
    slugs = {organization_id: party.slug for organization_id, party in tb.parties.items()}
    return [
        [e.rule_key, labels[e.rule_key], slugs[e.left_book], codes(e.left_accounts), _mad(e.amount),
         slugs[e.right_book], codes(e.right_accounts), _mad(-e.amount)]
        for e in tb.combination.eliminated
    ]  # fmt: skip


def workbook(accounts: CombinedAccounts, language: str) -> bytes:
    """The wide XLSX: the trial balance with a column per book, then the Bilan, CPC, eliminations, differences and
    the flows outside the set."""
    return workbook_bytes(sheets(accounts, language), right_to_left=language == "ar")


def sheets(accounts: CombinedAccounts, language: str) -> list[Sheet]:
    tb = accounts.trial_balance
    slugs = [column.slug for column in tb.columns]
    tb_rows: list[list[Any]] = [
        [row.code, row.name(language), *map(_mad, row.by_book), _mad(row.total), _mad(row.eliminations),
         _mad(row.combined)]
        for row in tb.rows
    ]  # fmt: skip
    width = len(tb.columns)
    tb_rows.append(
        [
            "",
            _("Totaux"),
            *(_mad(sum(row.by_book[i] for row in tb.rows)) for i in range(width)),
            *(_mad(sum(getattr(row, key) for row in tb.rows)) for key in ("total", "eliminations", "combined")),
        ]
    )
    side_headers = [_("Côté"), _("Rubrique"), _("Brut"), _("Amortissements et provisions"), _("Net")]
    bilan = [
        *_statement_rows(_("Actif"), accounts.bilan.actif, language),
        *_statement_rows(_("Passif"), accounts.bilan.passif, language),
    ]
    cpc: list[tuple[Any, ...]] = []
    for key, section in accounts.cpc.sections.items():
        cpc.append((key, section.label_ar if language == "ar" else section.label_fr, None))
        cpc += [(key, ln.label_ar if language == "ar" else ln.label_fr, _mad(ln.net)) for ln in section.lines]
        cpc.append((key, _("Total"), _mad(section.net)))
    cpc += [(key, label, _mad(value)) for key, label, value in cpc_results(accounts.cpc)]
    pair_headers = [_("Paire"), _("Intitulé"), _("Livre"), _("Comptes"), _("Montant"), _("Livre en face"),
                    _("Comptes en face"), _("Montant en face")]  # fmt: skip
    scopes = ((_("Période"), tb.differences), (_("Bilan (soldes à la fin)"), accounts.bilan_differences))
    differences = [
        [scope, *_pair_row(d, language), _mad(d.difference), CAUSE_LABELS[d.cause][0] if d.cause else "",
         CAUSE_LABELS[d.cause][1] if d.cause else ""]
        for scope, lines in scopes
        for d in lines
    ]  # fmt: skip
    outside = [
        [o.rule_key, o.rule_label(language), o.book.slug, o.partner.slug, codes(o.accounts), _mad(o.amount)]
        for o in tb.outside
    ]
    return [
        Sheet(
            _("Balance combinée"),
            [_("Compte"), _("Intitulé"), *slugs, _("Somme des livres"), _("Éliminations"), _("Combiné")],
            tb_rows,
            frozen_columns=2,
        ),
        Sheet(_("Bilan"), side_headers, bilan),
        Sheet("CPC", [_("Poste"), _("Rubrique"), _("Montant")], cpc),
        Sheet(_("Éliminations"), pair_headers, _eliminated_rows(tb, language)),
        Sheet(
            _("Différences"),
            [_("Portée"), *pair_headers, _("Différence"), _("Cause probable"), _("Cause probable (arabe)")],
            differences,
        ),
        Sheet(
            _("Hors ensemble"),
            [_("Paire"), _("Intitulé"), _("Livre"), _("Partenaire hors de l'ensemble"), _("Comptes"), _("Montant")],
            outside,
        ),
    ]


def filename(accounts: CombinedAccounts) -> str:
    tb = accounts.trial_balance
    return f"comptes-combines-{tb.start}-{tb.end}"


def response(accounts: CombinedAccounts, *, fmt: str, language: str, today: date) -> HttpResponse:
    name = filename(accounts)
    if fmt == "xlsx":
        answer = HttpResponse(workbook(accounts, language), content_type=XLSX_TYPE)
        answer["Content-Disposition"] = content_disposition(f"{name}.xlsx")
        return answer
    if fmt == "pdf":
        from gie_erp.combine.pdf import combined_pdf  # weasyprint and fonts: loaded when a PDF is asked for

        answer = HttpResponse(
            combined_pdf(accounts, language=language, printed_on=today), content_type="application/pdf"
        )
        answer["Content-Disposition"] = content_disposition(f"{name}.pdf")
        return answer
    return table_response(
        filename=name,
        fmt="csv",
        headers=trial_balance_headers(),
        rows=trial_balance_rows(accounts.trial_balance, language),
        sheet_name=_("Balance combinée"),
    )
