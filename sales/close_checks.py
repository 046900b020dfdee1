"""The sales' checks of the month close (``gie_erp.core.closing``): every ticket sold in the month is summarized
into the books, and every till shift opened before the month's end is closed (its Z report counted). A member's
book is held by the events it takes part in; the GIE's book by every event (it books every mandate sale)."""

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gie_erp.core.closing import Blocker, close_check_register
from gie_erp.core.errors import ErrorCode
from members.models import Organization
from sales.models import Event, Participation, Shift, Ticket


def _holders(event_ids: set[int], book_ids: Sequence[int], organizations: dict[int, int]) -> dict[int, set[int]]:
    """Per event, the books (among ``book_ids``) it holds: its members' and the GIE's."""
    wanted = {organizations[book]: book for book in book_ids if book in organizations}
    gie_books = set(Organization.objects.filter(pk__in=wanted, kind=Organization.Kind.GIE).values_list("pk", flat=True))
    holders: dict[int, set[int]] = {event: {wanted[org] for org in gie_books} for event in event_ids}
    for event_id, organization_id in Participation.objects.filter(
        event_id__in=event_ids, organization_id__in=wanted
    ).values_list("event_id", "organization_id"):
        holders[event_id].add(wanted[organization_id])
    return holders


def _event_names(event_ids: set[int]) -> dict[int, str]:
    return dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "name_fr"))


def check_tickets_summarized(
    book_ids: Sequence[int], organizations: dict[int, int], year: int, month: int
) -> dict[int, list[Blocker]]:
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    pending = dict(
        Ticket.objects.filter(sold_on__gte=first, sold_on__lte=last, summary_run__isnull=True)
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    )
    if not pending:
        return {}
    names = _event_names(set(pending))
    found: dict[int, list[Blocker]] = defaultdict(list)
    for event_id, books in _holders(set(pending), book_ids, organizations).items():
        blocker = Blocker(ErrorCode.CLOSE_TICKETS_PENDING, {"event": names[event_id], "count": pending[event_id]})
        for book_id in books:
            found[book_id].append(blocker)
    return found


def check_shifts_closed(
    book_ids: Sequence[int], organizations: dict[int, int], year: int, month: int
) -> dict[int, list[Blocker]]:
    month_end = date(year, month, calendar.monthrange(year, month)[1])
    end = timezone.make_aware(datetime.combine(month_end, time.max))
    open_shifts: dict[int, datetime] = {}
    for event_id, opened_at in Shift.objects.filter(closed_at__isnull=True, opened_at__lte=end).values_list(
        "event_id", "opened_at"
    ):
        open_shifts[event_id] = min(opened_at, open_shifts.get(event_id, opened_at))
    if not open_shifts:
        return {}
    names = _event_names(set(open_shifts))
    found: dict[int, list[Blocker]] = defaultdict(list)
    for event_id, books in _holders(set(open_shifts), book_ids, organizations).items():
        opened = timezone.localtime(open_shifts[event_id]).strftime("%d/%m/%Y")
        blocker = Blocker(ErrorCode.CLOSE_SHIFT_OPEN, {"event": names[event_id], "date": opened})
        for book_id in books:
            found[book_id].append(blocker)
    return found


def register() -> None:
    close_check_register(
        "sales.tickets_summarized", _("Ventes du mois récapitulées"), check_tickets_summarized, order=40
    )
    close_check_register("sales.shifts_closed", _("Sessions de caisse fermées"), check_shifts_closed, order=41)
