"""The accountant's pages for one book: entries, entry form, reversal, reports with drill-down, period locks.

Views parse, call one selector or service, and render. Every page is for GIE staff; a book that the user may not
see is a 404 (selectors), a role that may not act is a 403.
"""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.dates import earliest_date, is_plausible_year
from gie_erp.core.errors import DomainError, ErrorCode, error_message
from gie_erp.core.exports import safe_filename, table_response
from gie_erp.core.idempotency import form_key
from gie_erp.core.imports import import_with_report, upload_content
from gie_erp.core.money import from_centimes
from gie_erp.core.roles import Role
from ledger import selectors, services
from ledger.chart import account_name, account_search, chart_by_code
from ledger.forms import DateRangeForm, EntryFilterForm, EntryForm, LineFormSet, UnlockForm
from ledger.models import EntryAttachment, Journal
from ledger.opening import OPENING_LIMITS, opening_balances_import
from ledger.posting import JournalLine
from ledger.statements import build_bilan, build_cpc
from members.models import Organization

AMOUNT_CODES = (
    ErrorCode.AMOUNT_NOT_A_NUMBER,
    ErrorCode.AMOUNT_EXPONENT,
    ErrorCode.AMOUNT_DECIMALS,
    ErrorCode.AMOUNT_AMBIGUOUS,
    ErrorCode.AMOUNT_GROUPING,
    ErrorCode.AMOUNT_TOO_LARGE,
    ErrorCode.AMOUNT_NEGATIVE,
)
READ = (Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR)
WRITE = (Role.GIE_ADMIN, Role.GIE_ACCOUNTANT)
PAGE_SIZE = 50
EXPORTS = {"csv", "xlsx"}


def _today() -> date:
    return timezone.localdate()


def _parse_int(value: str | None) -> int | None:
    """An integer query or form value; anything else (``abc``, ``1e3``, 40 digits) is None."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 6 else None


def _parse_date(value: str) -> date | None:
    """An ISO date from a form, within the GIE's dates; anything else is None."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if day >= earliest_date() else None


@role_required(*READ)
def book_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    today = _today()
    recent = selectors.entry_search(book=book)[:10]
    cash = selectors.account_balance(book=book, code="5161", end=today)
    bank = selectors.account_balance(book=book, code="5141", end=today)
    return render(
        request,
        "ledger/book_home.html",
        {"book": book, "recent": recent, "cash": cash, "bank": bank, "journals": Journal.choices},
    )


@role_required(*READ)
def entry_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form = EntryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "start": data["start"],
            "end": data["end"],
            "journal": data["journal"],
            "account_code": data["account"],
            "text": data["q"],
            "amount": data["amount"],
            "partner_id": data["partner"].pk if data["partner"] else None,
        }
    entries = selectors.entry_search(book=book, **filters)
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        lines = selectors.entry_line_views(list(entries[:20000]))
        partners = dict(Organization.objects.values_list("pk", "slug"))
        rows = (
            (e.posted_on, e.number, e.journal, ln.account_code, ln.account_name, e.description, e.source_ref,
             ln.debit, ln.credit, partners.get(ln.partner_id or 0, ""))
            for e in entries[:20000]
            for ln in lines[e.pk]
        )  # fmt: skip
        headers = [
            _("Date"),
            _("Numéro"),
            _("Journal"),
            _("Compte"),
            _("Intitulé"),
            _("Libellé"),
            _("Pièce"),
            _("Débit"),
            _("Crédit"),
            _("Partenaire"),
        ]
        return table_response(
            filename=f"ecritures-{book.organization.slug}",
            fmt=fmt,
            headers=headers,
            rows=rows,
            sheet_name=_("Écritures"),
        )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = selectors.entry_line_views(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ledger/entry_list.html",
        {
            "book": book,
            "form": form,
            "page": page,
            "lines": lines,
            "query": query.urlencode(),
            "print": _print(_org_label(book.organization), _("Écritures"), _entries_period(form)),
        },
    )


@role_required(*READ)
def entry_detail(request: HttpRequest, org_slug: str, entry_id: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    entry = selectors.entry_get(user=request.user, book=book, je_id=entry_id)
    lines = selectors.entry_line_views([entry])[entry.pk]
    partners = {o.pk: o for o in Organization.objects.filter(pk__in=[ln.partner_id for ln in lines if ln.partner_id])}
    reversed_by = getattr(entry, "reversed_by", None)
    return render(
        request,
        "ledger/entry_detail.html",
        {
            "book": book,
            "entry": entry,
            "lines": lines,
            "partners": partners,
            "reversed_by": reversed_by,
            "attachments": entry.attachments.all(),
            "today": _today(),
            "history": audit_history(user=request.user, target_type="ledger.entry", target_id=entry.pk),
        },
    )


@role_required(*WRITE)
@require_POST
def entry_reverse(request: HttpRequest, org_slug: str, entry_id: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    entry = selectors.entry_get(user=request.user, book=book, je_id=entry_id)
    reversed_on = _parse_date(request.POST.get("reversed_on", "")) or _today()
    try:
        ref = services.journal_entry_reverse(
            entry=entry, reversed_on=reversed_on, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message())
        return redirect("ledger:entry", org_slug=org_slug, entry_id=entry.pk)
    messages.success(request, _("Écriture %(number)s contre-passée.") % {"number": entry.number})
    return redirect("ledger:entry", org_slug=org_slug, entry_id=ref.je_id)


@role_required(*READ)
def attachment_download(request: HttpRequest, org_slug: str, attachment_id: int) -> FileResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    try:
        attachment = EntryAttachment.objects.get(pk=attachment_id, book=book)
    except EntryAttachment.DoesNotExist:
        raise Http404 from None
    name = safe_filename((attachment.file.name or "piece").rsplit("/", 1)[-1], default="piece")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The keyboard-first entry form: posts only a balanced entry; the key makes a double submit harmless."""
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form = EntryForm(request.POST or None, request.FILES or None, initial={"posted_on": _today()})
    lines = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        journal_lines = [
            JournalLine(
                data["account_code"],
                debit=data["debit"],
                credit=data["credit"],
                partner_id=data["partner"].pk if data.get("partner") else None,
            )
            for data in lines.cleaned_data
            if data.get("account_code")
        ]
        try:
            ref = services.journal_entry_post_with_scan(
                book=book,
                posted_on=form.cleaned_data["posted_on"],
                journal=Journal(form.cleaned_data["journal"]),
                lines=journal_lines,
                description=form.cleaned_data["description"],
                source_ref=form.cleaned_data["source_ref"],
                idempotency_key=form_key(user_id=request.user.pk, token=request.POST.get("idempotency_key", "")),
                scan=form.cleaned_data.get("attachment"),
                acting_user=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("Écriture %(number)s enregistrée.") % {"number": ref.number})
            if "post_and_new" in request.POST:
                return redirect("ledger:entry_new", org_slug=org_slug)
            return redirect("ledger:entry", org_slug=org_slug, entry_id=ref.je_id)
    elif request.method == "POST":
        messages.error(request, _("L'écriture n'est pas enregistrée : corrigez les champs signalés."))
    partners = Organization.objects.order_by("kind", "legal_name_fr").only("slug", "legal_name_fr")
    return render(
        request,
        "ledger/entry_form.html",
        {
            "book": book,
            "form": form,
            "lines": lines,
            "accounts": account_search("", limit=20),
            "messages_js": _entry_form_messages(),
            "partners": partners,
            "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        },
    )


def _entry_form_messages() -> dict[str, str]:
    """What the entry form's script says when it cannot post, in the page's language (same texts as the server)."""
    texts = {code.value: error_message(code, {"value": "%(value)s", "plain": "%(plain)s", "limit": "999 999 999,99"})
             for code in AMOUNT_CODES}  # fmt: skip
    return {
        **texts,
        "line": _("Ligne %(line)s, %(side)s :"),
        "debit": _("débit"),
        "credit": _("crédit"),
        "empty": _("Saisissez les montants : l'écriture est vide."),
        "unbalanced": _("Écriture déséquilibrée : écart de %(difference)s (le débit doit égaler le crédit)."),
    }


@role_required(*READ)
def account_search_options(request: HttpRequest) -> HttpResponse:
    """The accounts matching what is typed in an entry line (code, French or Arabic name): datalist options."""
    query = request.GET.get("q", "")[:60]
    return render(request, "ledger/_account_options.html", {"accounts": account_search(query, limit=20)})


def _range(request: HttpRequest) -> tuple[DateRangeForm, date, date]:
    """The period asked for (the current year to date by default); the returned form shows the period displayed,
    with the refusal of any date that could not be used."""
    asked = DateRangeForm(request.GET or None)
    start, end = asked.range(_today())
    shown = DateRangeForm({"start": start.isoformat(), "end": end.isoformat()})
    shown.is_valid()
    for name, errors in (asked.errors if asked.is_bound else {}).items():
        for error in errors:
            shown.add_error(name if name in shown.fields else None, error)
    return shown, start, end


def _print(who: str, title: str, period: str) -> dict[str, str]:
    """What every printed page of a report repeats (margin boxes): whose books, which report, which period."""
    return {"who": who, "title": title, "period": period}


def _org_label(organization: Organization) -> str:
    return (
        organization.legal_name_ar
        if get_language() == "ar" and organization.legal_name_ar
        else (organization.legal_name_fr)
    )


def _entries_period(form: EntryFilterForm) -> str:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if not (data.get("start") or data.get("end")):
        return _("toutes dates")
    first = f"{data['start']:%d/%m/%Y}" if data.get("start") else "…"
    last = f"{data['end']:%d/%m/%Y}" if data.get("end") else "…"
    return f"{first} – {last}"


def _period(start: date, end: date) -> str:
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"


@role_required(*READ)
def trial_balance(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form, start, end = _range(request)
    rows = selectors.trial_balance(book_ids=[book.pk], start=start, end=end)
    opening = {
        r.account_code: r.balance
        for r in selectors.trial_balance(book_ids=[book.pk], start=None, end=_day_before(start))
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
            "print": _print(_org_label(book.organization), _("Balance générale"), _period(start, end)),
        },
    )


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


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
            "print": _print(
                _org_label(book.organization),
                f"{_('Grand livre')} {account_code} {account_name(account_code, get_language())}",
                _period(start, end),
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
            "print": _print(_org_label(book.organization), _("Bilan"), _("au %(day)s") % {"day": f"{end:%d/%m/%Y}"}),
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
            "print": _print(_org_label(book.organization), _("Compte de produits et charges"), _period(start, end)),
        },
    )


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Lock or unlock months; unlocking is for the GIE administrator, with a reason."""
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    asked = (request.GET.get("year") or request.POST.get("year") or "").strip()
    year = _parse_int(asked) if asked else _today().year
    if year is None or not is_plausible_year(year):
        messages.error(request, _("Année invalide : %(year)s.") % {"year": asked[:12]})
        year = _today().year
        if request.method == "POST":
            return redirect(f"{reverse('ledger:periods', kwargs={'org_slug': org_slug})}?year={year}")
    if request.method == "POST":
        user: Any = request.user
        if user.role not in WRITE and not user.is_superuser:
            raise Http404
        month = _parse_int(request.POST.get("month")) or 0  # the service refuses a month outside 1..12
        try:
            if request.POST.get("action") == "unlock":
                form = UnlockForm(request.POST)
                reason = form.data.get("reason", "")
                services.period_unlock(book=book, year=year, month=month, acting_user=user, reason=reason)
                messages.success(request, _("Période %(period)s déverrouillée.") % {"period": f"{year}-{month:02d}"})
            else:
                services.period_lock(book=book, year=year, month=month, acting_user=user)
                messages.success(request, _("Période %(period)s verrouillée.") % {"period": f"{year}-{month:02d}"})
        except DomainError as error:
            messages.error(request, error.message())
        return redirect(f"{reverse('ledger:periods', kwargs={'org_slug': org_slug})}?year={year}")
    locked = selectors.period_locks(book=book)
    months = [(m, (year, m) in locked) for m in range(1, 13)]
    return render(request, "ledger/periods.html", {"book": book, "year": year, "months": months})


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def opening_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        opened_on = _parse_date(request.POST.get("opened_on", ""))
        if upload is None or opened_on is None:
            messages.error(request, _("Choisissez un fichier et une date d'ouverture."))
        else:
            name = upload.name or ""
            refs = import_with_report(
                request,
                context,
                lambda: opening_balances_import(
                    filename=name,
                    content=upload_content(upload, OPENING_LIMITS),
                    opened_on=opened_on,
                    acting_user=request.user,
                ),
            )
            if refs is not None:
                created = sum(1 for r in refs if r.created)
                if created:
                    text = ngettext(
                        "%(count)d écriture d'ouverture enregistrée.",
                        "%(count)d écritures d'ouverture enregistrées.",
                        created,
                    )
                    messages.success(request, text % {"count": created})
                else:
                    messages.info(request, _("Ces soldes d'ouverture étaient déjà importés : rien de nouveau."))
    return render(request, "ledger/opening_import.html", context)


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
            "print": _print(_("Tous les livres"), _("Balance de tous les livres"), _period(start, end)),
        },
    )
