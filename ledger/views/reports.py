"""Reports of one book (trial balance, general ledger, bilan, CPC) and of all books, with drill-down and exports."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gie_erp.core.access import role_required
from gie_erp.core.exports import table_response
from gie_erp.core.money import from_centimes
from ledger import selectors
from ledger.chart import account_name, chart_by_code
from ledger.forms import DateRangeForm
from ledger.statements import build_bilan, build_cpc
from ledger.views.common import (
    EXPORTS,
    READ,
    local_today,
    org_label,
    period_label,
    print_header,
)


def _range(request: HttpRequest) -> tuple[DateRangeForm, date, date]:
    """The period asked for (the current year to date by default); the returned form shows the period displayed,
    with the refusal of any date that could not be used."""
    asked = DateRangeForm(request.GET or None)
    start, end = asked.range(local_today())
    shown = DateRangeForm({"start": start.isoformat(), "end": end.isoformat()})
    shown.is_valid()
    for name, errors in (asked.errors if asked.is_bound else {}).items():
        for error in errors:
            shown.add_error(name if name in shown.fields else None, error)
    return shown, start, end


@role_required(*READ)
def trial_balance(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form, start, end = _range(request)
    rows = selectors.trial_balance(book_ids=[book.pk], start=start, end=end)
    opening = {
        code: from_centimes(debit - credit)
        for (_, code), (debit, credit) in selectors.opening_centimes(book_ids=[book.pk], before=start).items()
    }
    table: list[dict[str, Any]] = []
    codes = sorted({r.account_code for r in rows} | {c for c, v in opening.items() if v})
    by_code = {r.account_code: r for r in rows}
    for code in codes:
        row = by_code.get(code)
        debit = row.debit if row else Decimal("0.00")
        credit = row.credit if row else Decimal("0.00")
        before = opening.get(code, Decimal("0.00"))
        closing = before + debit - credit
        table.append(
            {
                "code": code,
                "name": account_name(code, get_language()),
                "opening_debit": max(before, Decimal(0)),
                "opening_credit": max(-before, Decimal(0)),
                "debit": debit,
                "credit": credit,
                "closing_debit": max(closing, Decimal(0)),
                "closing_credit": max(-closing, Decimal(0)),
            }
        )
    totals = {key: sum((r[key] for r in table), Decimal("0.00")) for key in (
        "opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit")}  # fmt: skip
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        headers = [
            _("Compte"),
            _("Intitulé"),
            _("Ouverture débit"),
            _("Ouverture crédit"),
            _("Débit"),
            _("Crédit"),
            _("Solde débiteur"),
            _("Solde créditeur"),
        ]
        data = [
            (r["code"], r["name"], r["opening_debit"], r["opening_credit"], r["debit"], r["credit"],
             r["closing_debit"], r["closing_credit"])
            for r in table
        ]  # fmt: skip
        return table_response(
            filename=f"balance-{book.organization.slug}-{start}-{end}",
            fmt=fmt,
            headers=headers,
            rows=data,
            sheet_name=_("Balance générale"),
        )
    return render(
        request,
        "ledger/trial_balance.html",
        {
            "book": book,
            "form": form,
            "rows": table,
            "totals": totals,
            "start": start,
            "end": end,
            "print": print_header(org_label(book.organization), _("Balance générale"), period_label(start, end)),
        },
    )


@role_required(*READ)
def general_ledger(request: HttpRequest, org_slug: str, account_code: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    if account_code not in chart_by_code():  # a code not in the chart (or with a line break) names no page
        raise Http404
    form, start, end = _range(request)
    opening, lines = selectors.general_ledger(book=book, code=account_code, start=start, end=end)
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        rows = [
            (ln.posted_on, ln.number, ln.description, ln.source_ref, ln.debit, ln.credit, ln.balance) for ln in lines
        ]
        return table_response(
            filename=f"grand-livre-{book.organization.slug}-{account_code}",
            fmt=fmt,
            headers=[_("Date"), _("Numéro"), _("Libellé"), _("Pièce"), _("Débit"), _("Crédit"), _("Solde")],
            rows=[("", "", _("Solde d'ouverture"), "", "", "", opening), *rows],
            sheet_name=f"{_('Grand livre')} {account_code}",
        )
    page = Paginator(lines, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/general_ledger.html",
        {
            "book": book,
            "form": form,
            "code": account_code,
            "name": account_name(account_code, get_language()),
            "opening": opening,
            "page": page,
            "closing": lines[-1].balance if lines else opening,
            "start": start,
            "end": end,
            "print": print_header(
                org_label(book.organization),
                f"{_('Grand livre')} {account_code} {account_name(account_code, get_language())}",
                period_label(start, end),
            ),
        },
    )


def _statement_rows(sections: Any, *, with_contra: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for section in sections:
        rows.append({"kind": "section", "label": section.label_fr, "label_ar": section.label_ar})
        for line in section.lines:
            rows.append(
                {
                    "kind": "line",
                    "key": line.key,
                    "label": line.label_fr,
                    "label_ar": line.label_ar,
                    "gross": from_centimes(line.gross),
                    "contra": from_centimes(line.contra) if with_contra else None,
                    "net": from_centimes(line.net),
                    "accounts": [(code, from_centimes(v)) for code, v in sorted(line.accounts.items())],
                }
            )
        rows.append({"kind": "total", "label": section.label_fr, "net": from_centimes(section.net)})
    return rows


@role_required(*READ)
def bilan(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form, _start, end = _range(request)
    report = build_bilan(selectors.signed_balances(book_ids=[book.pk], start=None, end=end))
    actif, passif = _statement_rows(report.actif, with_contra=True), _statement_rows(report.passif, with_contra=False)
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        data = [("ACTIF", r.get("label"), r.get("gross"), r.get("contra"), r.get("net")) for r in actif]
        data += [("PASSIF", r.get("label"), r.get("gross"), None, r.get("net")) for r in passif]
        headers = [_("Côté"), _("Rubrique"), _("Brut"), _("Amortissements et provisions"), _("Net")]
        return table_response(
            filename=f"bilan-{book.organization.slug}-{end}", fmt=fmt, headers=headers, rows=data, sheet_name=_("Bilan")
        )
    return render(
        request,
        "ledger/bilan.html",
        {
            "book": book,
            "form": form,
            "end": end,
            "actif": actif,
            "passif": passif,
            "total_actif": from_centimes(report.total_actif),
            "total_passif": from_centimes(report.total_passif),
            "unclassified": report.unclassified,
            "print": print_header(
                org_label(book.organization), _("Bilan"), _("au %(day)s") % {"day": f"{end:%d/%m/%Y}"}
            ),
        },
    )


@role_required(*READ)
def cpc(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form, start, end = _range(request)
    report = build_cpc(selectors.signed_balances(book_ids=[book.pk], start=start, end=end))
    results = [
        ("III", _("Résultat d'exploitation"), report.operating_result),
        ("VI", _("Résultat financier"), report.financial_result),
        ("VII", _("Résultat courant"), report.current_result),
        ("X", _("Résultat non courant"), report.non_current_result),
        ("XI", _("Résultat avant impôts"), report.result_before_tax),
        ("XIII", _("Résultat net"), report.net_result),
    ]
    sections = {key: _statement_rows([section], with_contra=False) for key, section in report.sections.items()}
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        data = [(key, r.get("label"), r.get("net")) for key, rows in sections.items() for r in rows]
        data += [(key, label, from_centimes(value)) for key, label, value in results]
        headers = [_("Poste"), _("Rubrique"), _("Montant")]
        filename = f"cpc-{book.organization.slug}-{start}-{end}"
        return table_response(filename=filename, fmt=fmt, headers=headers, rows=data, sheet_name="CPC")
    return render(
        request,
        "ledger/cpc.html",
        {
            "book": book,
            "form": form,
            "start": start,
            "end": end,
            "sections": sections,
            "results": [(key, label, from_centimes(value)) for key, label, value in results],
            "print": print_header(
                org_label(book.organization), _("Compte de produits et charges"), period_label(start, end)
            ),
        },
    )


@role_required(*READ)
def all_books_trial_balance(request: HttpRequest) -> HttpResponse:
    """Every book's trial balance summed per account (before eliminations); the export gives it per book."""
    form, start, end = _range(request)
    user: Any = request.user
    visible = selectors.book_qs_visible(user=user)
    book_ids = None if (user.is_superuser or user.role in READ) else list(visible.values_list("pk", flat=True))
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        slugs = dict(visible.values_list("pk", "organization__slug"))
        rows = selectors.trial_balance(book_ids=book_ids, start=start, end=end)
        data = ((slugs[r.book_id], r.account_code, r.account_name, r.debit, r.credit, r.balance) for r in rows)
        headers = [_("Livre"), _("Compte"), _("Intitulé"), _("Débit"), _("Crédit"), _("Solde")]
        return table_response(
            filename=f"balance-tous-livres-{start}-{end}",
            fmt=fmt,
            headers=headers,
            rows=data,
            sheet_name=_("Balance de tous les livres"),
        )
    language = get_language()
    table: list[dict[str, Any]] = []
    for code, (debit, credit) in sorted(selectors.account_totals(book_ids=book_ids, start=start, end=end).items()):
        if debit or credit:
            d, c = from_centimes(debit), from_centimes(credit)
            table.append(
                {"code": code, "name": account_name(code, language), "debit": d, "credit": c, "balance": d - c}
            )
    totals = (sum((r["debit"] for r in table), Decimal(0)), sum((r["credit"] for r in table), Decimal(0)))
    return render(
        request,
        "ledger/all_books_trial_balance.html",
        {
            "form": form,
            "rows": table,
            "totals": totals,
            "books": visible.count(),
            "start": start,
            "end": end,
            "print": print_header(_("Tous les livres"), _("Balance de tous les livres"), period_label(start, end)),
        },
    )
