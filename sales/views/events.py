"""Sales pages: channels, events (list, form, page with its totals, members, sellers and state), the tickets the
server held for the accountant, summarizing an event into the books with its progress, and a member's page at an
event (its takings, settlements and sales terms). Every change is a POST calling one service."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.money import ZERO, to_mad
from members.models import Organization
from sales import events as services
from sales import selectors
from sales.forms import ChannelForm, EventFilterForm, EventForm, SalesTermsForm
from sales.models import Channel, Event, PaymentMethod, SalesTerms, Settlement, Shift, SummaryRun, TicketLine
from sales.views.access import EVENT_READ, PAGE_SIZE, READ, WRITE, export_format, query_without, writes

# Channels ----------------------------------------------------------------------------------------------------------


@role_required(*READ)
@require_GET
def channel_list(request: HttpRequest) -> HttpResponse:
    channels = selectors.channels_for(request.user).order_by("-is_active", "name_fr")
    return render(request, "sales/events/channels.html", {"channels": channels, "can_write": writes(request.user)})


def _channel_form(request: HttpRequest, channel: Channel | None) -> HttpResponse:
    form = ChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.channel_save(channel=channel, data=form.cleaned_data, acting_user=request.user)
        except (DomainError, ValidationError) as error:
            form.add_error(None, error.message() if isinstance(error, DomainError) else error.messages)
        else:
            messages.success(request, _("Canal enregistré."))
            return redirect("sales:channel_edit", channel_slug=saved.slug)
    return render(request, "sales/events/channel_form.html", {"form": form, "channel": channel})


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def channel_new(request: HttpRequest) -> HttpResponse:
    return _channel_form(request, None)


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, channel_slug: str) -> HttpResponse:
    channel = selectors.channel_for(request.user, channel_slug)
    if request.method == "POST" and not writes(request.user):
        raise PermissionDenied
    return _channel_form(request, channel)


# Events ------------------------------------------------------------------------------------------------------------

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _with_takings(events: Any) -> Any:
    takings = (
        TicketLine.objects.filter(ticket__event=OuterRef("pk"))
        .order_by()
        .values("ticket__event")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return events.annotate(takings=Subquery(takings, output_field=_MONEY))


def event_export_headers() -> list[str]:
    return [_("Nom court"), _("Événement"), _("Canal"), _("Du"), _("Au"), _("Lieu"), _("État"), _("Ventes TTC")]


def _event_rows(events: Any) -> Iterator[Sequence[Any]]:
    for event in events.iterator(chunk_size=500):
        yield (
            event.slug, event.name_fr, event.channel.name_fr, event.starts_on, event.ends_on, event.place,
            event.get_state_display(), to_mad(event.takings or ZERO),
        )  # fmt: skip


@role_required(*EVENT_READ)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET)
    events = _with_takings(selectors.event_search(user=request.user, **form.filters()))
    fmt = export_format(request)
    if fmt:
        return table_response(
            filename="evenements", fmt=fmt, headers=event_export_headers(), rows=_event_rows(events),
            sheet_name=_("Événements"),
        )  # fmt: skip
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/events/list.html",
        {"form": form, "page": page, "query": query_without(request), "can_write": writes(request.user)},
    )


def _event_form(request: HttpRequest, event: Event | None) -> HttpResponse:
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.event_save(
                event=event,
                data=data,
                stands=[(s.organization, s.stand) for s in data["stands"]],
                sellers=list(data["sellers"]),
                acting_user=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Événement enregistré."))
            return redirect("sales:event_detail", event_slug=saved.slug)
    members = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("slug")
    return render(request, "sales/events/form.html", {"form": form, "event": event, "members": members})


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    return _event_form(request, None)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_slug: str) -> HttpResponse:
    return _event_form(request, selectors.event_for(request.user, event_slug))


def _last_runs(event: Event) -> list[SummaryRun]:
    return list(event.summary_runs.select_related("requested_by").order_by("-started_at")[:5])


@role_required(*EVENT_READ)
@require_GET
def event_detail(request: HttpRequest, event_slug: str) -> HttpResponse:
    user: Any = request.user
    event = selectors.event_for(user, event_slug)
    lines = selectors.lines_for(user, selectors.SalesFilter(event_id=event.pk))
    shares = selectors.shares_for(user, selectors.SalesFilter(event_id=event.pk))
    staff = selectors.is_staff(user)
    methods = selectors.method_totals(shares)
    labels = dict(PaymentMethod.choices)
    return render(
        request,
        "sales/events/detail.html",
        {
            "event": event,
            "totals": selectors.sales_totals(lines),
            "methods": [(labels[m], amount) for m, amount in methods.items()],
            "members": selectors.event_members(event),
            "dues": selectors.dues_for(event),
            "sellers": event.sellers.order_by("username"),
            "shifts": Shift.objects.filter(event=event).select_related("device", "device__user")[:20],
            "unsummarized": event.tickets.filter(summary_run__isnull=True).count(),
            "held": selectors.held_tickets(event).count(),
            "runs": _last_runs(event) if staff else [],
            "staff": staff,
            "can_write": writes(user),
            "states": Event.State.choices,
            "history": audit_history(user=user, target_type=event._meta.label_lower, target_id=event.pk),
        },
    )


@role_required(*WRITE)
@require_POST
def event_state(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, event_slug)
    state = request.POST.get("state", "")
    if state not in Event.State.values:
        messages.error(request, _("État inconnu : rien n'a changé."))
    else:
        event = services.event_state_set(event=event, state=state, acting_user=request.user)
        messages.success(request, _("L'événement est maintenant : %(state)s.") % {"state": event.get_state_display()})
    return redirect("sales:event_detail", event_slug=event.slug)


# Held tickets ------------------------------------------------------------------------------------------------------


def held_export_headers() -> list[str]:
    return [_("Reçu le"), _("Téléphone"), _("Vendeur"), _("Ticket"), _("Motif"), _("Contenu reçu")]


@role_required(*READ)
@require_GET
def event_held(request: HttpRequest, event_slug: str) -> HttpResponse:
    """What the server kept instead of applying: conflicts and tickets that broke a rule, with what was sent."""
    event = selectors.event_for(request.user, event_slug)
    held = selectors.held_tickets(event)
    fmt = export_format(request)
    if fmt:
        rows = (
            (h.received_at.date(), str(h.device or ""), h.device.user.username if h.device else "", str(h.ticket_id),
             h.reason, str(h.payload)[:2000])
            for h in held.iterator(chunk_size=500)
        )  # fmt: skip
        return table_response(
            filename=f"tickets-retenus-{event.slug}", fmt=fmt, headers=held_export_headers(), rows=rows,
            sheet_name=_("Tickets retenus"),
        )  # fmt: skip
    page = Paginator(held, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sales/events/held.html", {"event": event, "page": page, "query": query_without(request)})


# Summaries ---------------------------------------------------------------------------------------------------------


@role_required(*WRITE)
@require_POST
def event_summarize(request: HttpRequest, event_slug: str) -> HttpResponse:
    """Start summarizing the event's tickets into the books (on Celery); the progress page follows it."""
    from sales.summaries import summary_start  # the books step's module

    event = selectors.event_for(request.user, event_slug)
    try:
        run = summary_start(event, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message())
        return redirect("sales:event_detail", event_slug=event.slug)
    return redirect("sales:summary_progress", event_slug=event.slug, run_id=run.pk)


def _run_for(request: HttpRequest, event_slug: str, run_id: int) -> tuple[Event, SummaryRun]:
    event = selectors.event_for(request.user, event_slug)
    run = event.summary_runs.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return event, run


def _percent(run: SummaryRun) -> int:
    if run.state != SummaryRun.State.RUNNING:
        return 100
    return int(run.days_done * 100 / run.days_total) if run.days_total else 0


@role_required(*READ)
@require_GET
def summary_progress(request: HttpRequest, event_slug: str, run_id: int) -> HttpResponse:
    event, run = _run_for(request, event_slug, run_id)
    context = {"event": event, "run": run, "percent": _percent(run)}
    return render(request, "sales/events/summary.html", context)


@role_required(*READ)
@require_GET
def summary_fragment(request: HttpRequest, event_slug: str, run_id: int) -> HttpResponse:
    """The progress fragment htmx polls; HTTP 286 once the run is finished, which stops the polling."""
    event, run = _run_for(request, event_slug, run_id)
    finished = run.state != SummaryRun.State.RUNNING
    status = 286 if finished and request.headers.get("HX-Request") else 200
    context = {"event": event, "run": run, "percent": _percent(run)}
    return render(request, "sales/events/_summary_progress.html", context, status=status)


# A member at an event ----------------------------------------------------------------------------------------------


def _days_by_method(user: Any, event: Event, organization: Organization) -> list[tuple[Any, list[Any], Any]]:
    shares = selectors.shares_for(user, selectors.SalesFilter(event_id=event.pk, organization_id=organization.pk))
    table: dict[Any, dict[str, Any]] = {}
    for row in shares.values("ticket__sold_on", "method").annotate(total=Sum("amount")).order_by():
        table.setdefault(row["ticket__sold_on"], {})[row["method"]] = to_mad(row["total"] or ZERO)
    return [
        (day, [amounts.get(m, ZERO) for m in PaymentMethod.values], sum(amounts.values(), ZERO))
        for day, amounts in sorted(table.items())
    ]


@role_required(*READ)
@require_GET
def event_member(request: HttpRequest, event_slug: str, org_slug: str) -> HttpResponse:
    """A member at an event: takings per day and payment method, per product, its settlements, its sales terms."""
    from sales.settlements import due_for  # the books step's module

    user: Any = request.user
    event = selectors.event_for(user, event_slug)
    organization = selectors.event_member_for(user, event, org_slug)
    lines = selectors.lines_for(user, selectors.SalesFilter(event_id=event.pk, organization_id=organization.pk))
    terms = SalesTerms.objects.filter(organization=organization).first()
    settlements = list(
        Settlement.objects.filter(event=event, organization=organization)
        .select_related("commission")
        .order_by("settled_on", "pk")
    )
    return render(
        request,
        "sales/events/member.html",
        {
            "event": event,
            "organization": organization,
            "figures": selectors.event_members(event, organization_id=organization.pk)[0],
            "due": due_for(event, organization),
            "days": _days_by_method(user, event, organization),
            "method_labels": [label for _value, label in PaymentMethod.choices],
            "products": selectors.sales_rows(lines, selectors.shares_for(user).none(), "product"),
            "settlements": settlements,
            "settlements_differences": any(s.differences for s in settlements),
            "terms_form": SalesTermsForm(
                initial={"offset_other_invoices": bool(terms and terms.offset_other_invoices)}
            ),
            "can_write": writes(user),
        },
    )


@role_required(*WRITE)
@require_POST
def sales_terms(request: HttpRequest, event_slug: str, org_slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, event_slug)
    organization = selectors.event_member_for(request.user, event, org_slug)
    form = SalesTermsForm(request.POST)
    form.is_valid()  # a checkbox: absent means "no"
    services.sales_terms_set(
        organization=organization,
        offset_other_invoices=bool(form.cleaned_data.get("offset_other_invoices")),
        acting_user=request.user,
    )
    messages.success(request, _("Conditions du membre enregistrées."))
    return redirect("sales:event_member", event_slug=event.slug, org_slug=organization.slug)


urlpatterns: list[URLPattern] = [
    path("channels/", channel_list, name="channel_list"),
    path("channels/new/", channel_new, name="channel_new"),
    path("channels/<slug:channel_slug>/", channel_edit, name="channel_edit"),
    path("", event_list, name="sales_home"),  # /sales/ itself: the events (the nav's "Ventes")
    path("events/", event_list, name="event_list"),
    path("events/new/", event_new, name="event_new"),
    path("events/<slug:event_slug>/", event_detail, name="event_detail"),
    path("events/<slug:event_slug>/edit/", event_edit, name="event_edit"),
    path("events/<slug:event_slug>/state/", event_state, name="event_state"),
    path("events/<slug:event_slug>/held/", event_held, name="event_held"),
    path("events/<slug:event_slug>/summarize/", event_summarize, name="event_summarize"),
    path("events/<slug:event_slug>/runs/<int:run_id>/", summary_progress, name="summary_progress"),
    path("events/<slug:event_slug>/runs/<int:run_id>/progress/", summary_fragment, name="summary_fragment"),
    path("events/<slug:event_slug>/members/<slug:org_slug>/", event_member, name="event_member"),
    path("events/<slug:event_slug>/members/<slug:org_slug>/terms/", sales_terms, name="sales_terms"),
]
