"""A book's entries: home, list with filters and export, the entry form, an entry's page, reversal, scans."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.errors import DomainError, ErrorCode, error_message
from gie_erp.core.exports import safe_filename, table_response
from gie_erp.core.idempotency import form_key
from ledger import selectors, services
from ledger.chart import account_search
from ledger.forms import EntryFilterForm, EntryForm, LineFormSet
from ledger.models import MANUAL_JOURNALS, AnalyticLine, EntryAttachment, Journal
from ledger.posting import JournalLine
from ledger.views.common import (
    EXPORTS,
    PAGE_SIZE,
    READ,
    WRITE,
    local_today,
    org_label,
    parse_date,
    print_header,
)
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


@role_required(*READ)
def book_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    today = local_today()
    recent = selectors.entry_search(book=book)[:10]
    cash = selectors.account_balance(book=book, code="5161", end=today)
    bank = selectors.account_balance(book=book, code="5141", end=today)
    return render(
        request,
        "ledger/book_home.html",
        {"book": book, "recent": recent, "cash": cash, "bank": bank, "journals": MANUAL_JOURNALS},
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
             ln.debit, ln.credit, partners.get(ln.partner_id or 0, ""), ln.tag)
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
            _("Étiquette analytique"),
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
            "print": print_header(org_label(book.organization), _("Écritures"), _entries_period(form)),
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
            "today": local_today(),
            "history": audit_history(user=request.user, target_type="ledger.entry", target_id=entry.pk),
        },
    )


@role_required(*WRITE)
@require_POST
def entry_reverse(request: HttpRequest, org_slug: str, entry_id: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    entry = selectors.entry_get(user=request.user, book=book, je_id=entry_id)
    reversed_on = parse_date(request.POST.get("reversed_on", "")) or local_today()
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
    form = EntryForm(request.POST or None, request.FILES or None, initial={"posted_on": local_today()})
    lines = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        journal_lines = [
            JournalLine(
                data["account_code"],
                debit=data["debit"],
                credit=data["credit"],
                partner_id=data["partner"].pk if data.get("partner") else None,
                tag=data.get("tag", ""),
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
            "tags": _book_tags(book),
            "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        },
    )


def _book_tags(book: Any) -> list[str]:
    """The tags already used in this book (suggestions while typing one), at most 200."""
    used = AnalyticLine.objects.filter(book=book).values_list("tag", flat=True).distinct().order_by("tag")
    return list(used[:200])


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


def _entries_period(form: EntryFilterForm) -> str:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if not (data.get("start") or data.get("end")):
        return _("toutes dates")
    first = f"{data['start']:%d/%m/%Y}" if data.get("start") else "…"
    last = f"{data['end']:%d/%m/%Y}" if data.get("end") else "…"
    return f"{first} – {last}"
