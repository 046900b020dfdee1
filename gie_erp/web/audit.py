"""The audit log page: who did what, in which book, when; filters, 50 per page, CSV/XLSX of the filtered rows."""

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gie_erp.core.access import role_required
from gie_erp.core.audit import EVENT_LABELS, AuditRow, audit_event_label, audit_rows, audit_search
from gie_erp.core.dates import earliest_date, latest_date
from gie_erp.core.exports import table_response
from gie_erp.core.roles import Role
from ledger.models import Entry
from members import selectors
from members.models import Organization, User

PAGE_SIZE = 50
#: an export stops at this many events (the newest); the page says so when the filter matches more
EXPORT_LIMIT = 50_000
EXPORT_HEADERS = ["Date et heure", "Utilisateur", "Code", "Événement", "Livre", "Cible", "Identifiant de la cible",
                  "Détails"]  # fmt: skip
EVENT_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
DATETIME_FORMAT = "%d/%m/%Y %H:%M:%S"


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else str(obj.username)


class BookChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.legal_name_fr)


class AuditFilterForm(forms.Form):
    """The page's GET filters. A value that does not parse is reported on its field and that filter is left out."""

    actor = ActorChoiceField(label=_("Qui"), queryset=User.objects.order_by("username"), required=False)
    event = forms.ChoiceField(label=_("Quoi"), required=False)
    book = BookChoiceField(
        label=_("Livre"), queryset=Organization.objects.order_by("kind", "legal_name_fr"), to_field_name="slug",
        required=False,
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted(((code, audit_event_label(code)) for code in EVENT_LABELS), key=lambda choice: choice[1])
        asked = self.data.get("event", "") if self.is_bound else ""
        if asked and asked not in EVENT_LABELS and len(asked) <= 64 and EVENT_CODE.match(asked):
            choices.append((asked, asked))  # a code with no label yet can still be filtered on, from the URL
        event_field: Any = self.fields["event"]
        event_field.choices = [("", "—"), *choices]
        for name in ("actor", "book"):
            self.fields[name].empty_label = "—"  # type: ignore[attr-defined]

    def _clean_day(self, name: str) -> Any:
        day = self.cleaned_data.get(name)
        if day is not None and not earliest_date() <= day <= latest_date():
            raise forms.ValidationError(
                _("Choisissez une date entre %(first)s et %(last)s."),
                params={"first": earliest_date().strftime("%d/%m/%Y"), "last": latest_date().strftime("%d/%m/%Y")},
            )
        return day

    def clean_date_from(self) -> Any:
        return self._clean_day("date_from")

    def clean_date_to(self) -> Any:
        return self._clean_day("date_to")


@dataclass(frozen=True, slots=True)
class AuditPageRow:
    """A row of the page: the event, its book, its target in words (and a link when there is a page for it), its
    details with entry numbers in place of entry ids."""

    row: AuditRow
    organization: Organization | None
    target_text: str
    target_url: str
    details: tuple[tuple[str, str], ...]


def _filters(form: AuditFilterForm) -> dict[str, Any]:
    """The filters whose values parsed (``form.is_valid()`` has run): a bad one is shown as an error, not a 500."""
    data = getattr(form, "cleaned_data", {})
    actor, book = data.get("actor"), data.get("book")
    return {
        "actor_id": actor.pk if actor is not None else None,
        "event": data.get("event") or "",
        "tenant_id": book.pk if book is not None else None,
        "occurred_from": data.get("date_from"),
        "occurred_to": data.get("date_to"),
    }


def _books(rows: list[AuditRow], *, user: Any) -> dict[int, Organization]:
    """The organizations the rows name, in one query."""
    tenant_ids = {row.record.tenant_id for row in rows if row.record.tenant_id is not None}
    return selectors.organization_qs_visible(user=user).in_bulk(tenant_ids) if tenant_ids else {}


def _entry_numbers(rows: list[AuditRow]) -> dict[str, str]:
    """The numbers of the entries the rows name, as target or in their data ("OD2026-000001" reads better than a
    UUID), in one query."""
    ids = {
        pk
        for row in rows
        for value in (
            row.record.target_id if row.record.target_type == "ledger.entry" else "",
            *dict(row.details).values(),
        )
        if (pk := _uuid(value)) is not None
    }
    if not ids:
        return {}
    return {str(pk): number for pk, number in Entry.objects.filter(pk__in=ids).values_list("pk", "number")}


def _usernames(rows: list[AuditRow]) -> dict[str, str]:
    """The usernames of the users the rows are about, in one query."""
    ids = {
        int(row.record.target_id)
        for row in rows
        if row.record.target_type == "members.user" and row.record.target_id.isdigit()
    }
    if not ids:
        return {}
    return {str(pk): name for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "username")}


def _page_rows(rows: list[AuditRow], *, user: Any, is_admin: bool) -> list[AuditPageRow]:
    """Each row with its book and a readable, linked target: three queries whatever the number of rows."""
    books, numbers, usernames = _books(rows, user=user), _entry_numbers(rows), _usernames(rows)
    result = []
    for row in rows:
        record = row.record
        org = books.get(record.tenant_id) if record.tenant_id is not None else None
        text = f"{row.target_label} #{record.target_id}" if record.target_id else row.target_label
        url = ""
        if record.target_type == "ledger.entry" and record.target_id in numbers:
            text = f"{row.target_label} {numbers[record.target_id]}"
            if org is not None:
                url = reverse("ledger:entry", args=[org.slug, record.target_id])
        elif record.target_type == "members.organization" and org is not None and str(org.pk) == record.target_id:
            text, url = f"{row.target_label} {org.slug}", reverse("members:detail", args=[org.slug])
        elif record.target_type == "members.user" and record.target_id in usernames:
            text = f"{row.target_label} {usernames[record.target_id]}"
            if is_admin:
                url = reverse("web:user_edit", args=[int(record.target_id)])
        details = tuple((label, numbers.get(value, value)) for label, value in row.details)
        result.append(AuditPageRow(row=row, organization=org, target_text=text, target_url=url, details=details))
    return result


def _uuid(value: str) -> uuid.UUID | None:
    """``value`` as a UUID when it is one (36 characters with dashes), else None."""
    if len(value) != 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _who(record: Any) -> str:
    actor = record.actor
    if actor is None:
        return str(_("Système"))
    return str(actor.get_full_name() or actor.username)


@role_required(Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = AuditFilterForm(request.GET)
    form.is_valid()  # fills cleaned_data with the values that parse, errors for the others
    events = audit_search(user=user, **_filters(form))
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        rows = audit_rows(events[:EXPORT_LIMIT])
        books = _books(rows, user=user)
        return table_response(
            filename="journal-audit",
            fmt=fmt,
            headers=EXPORT_HEADERS,
            rows=(
                (
                    timezone.localtime(row.record.occurred_at).strftime(DATETIME_FORMAT),
                    _who(row.record),
                    row.record.event,
                    row.label,
                    books[row.record.tenant_id].legal_name_fr if row.record.tenant_id in books else "",
                    row.target_label,
                    row.record.target_id,
                    row.details_text,
                )
                for row in rows
            ),
            sheet_name="Journal d'audit",
        )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    is_admin = bool(user.is_superuser or user.role == Role.GIE_ADMIN)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "page": page,
            "rows": _page_rows(audit_rows(page.object_list), user=user, is_admin=is_admin),
            "query": query.urlencode(),
            "export_limit": EXPORT_LIMIT,
        },
    )
