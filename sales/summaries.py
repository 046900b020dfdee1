"""Tickets into the books, in bulk (DESIGN §6 "Fair sale, mandate mode"; issue 12, point 5).

A pass (a ``SummaryRun``) takes an event's tickets not yet summarized, day by day. For each day, in ONE transaction:
claim the day's tickets (an UPDATE that marks them with the run and row-locks them), sum their shares per (member,
method) and their VAT per member in SQL (integer centimes: exact on every database), post through the bulk path one
GIE entry per (event, day, member, method) — Dr the method's account / Cr 4463·member — and one member entry per
(event, day, member) — Dr 3488·GIE / Cr 7121 (HT) / Cr 4455 (VAT) — write one ``Summary`` row per (event, day,
member, method, part) and count the day done. A crash loses at most the day under way, whole: summarizing again
finds its tickets unclaimed and posts them then, and nothing twice.

On PostgreSQL a run holds an advisory lock on its event from start to end (released by the server if the worker
dies), so no other run claims the event's tickets meanwhile. It sums every pending day in one pass before the day
loop; each day then claims its tickets with a plain UPDATE (no index touched: a HOT update, migration 0002) and uses
the sums when it claimed exactly the tickets counted — a ticket that synced in between makes the day sum again what
it claimed.

Tickets that sync after their day was summarized make a complement: the next ``part`` of each (day, member, method),
dated that day, or the first open day of the book when that month is locked (its description names the day it
belongs to). Runs of one event queue on the event's row; days after ``today`` wait.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone, translation

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.money import ZERO, allocate, from_centimes
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import first_open_days, posting_rule
from ledger.services import journal_entries_post
from members.models import Organization
from sales.models import Event, PaymentMethod, Summary, SummaryRun, Ticket, TicketLine, TicketShare

_TICKET = Ticket._meta.db_table
#: the advisory lock's first key (the second is the event's id): "sales summarize"
ADVISORY_LOCK_CLASS = 0x5A1E5
#: PostgreSQL: every pending day's tickets counted, their shares summed per (day, member, method) and their VAT per
#: (day, member), in one statement (integer centimes)
PENDING_SQL = f"""
WITH pending AS (
    SELECT id, sold_on FROM {_TICKET}
    WHERE event_id = %s AND summary_run_id IS NULL AND sold_on <= %s
)
SELECT 'n', p.sold_on, NULL::bigint, NULL::text, COUNT(*)::bigint FROM pending p GROUP BY p.sold_on
UNION ALL
SELECT 's', p.sold_on, s.organization_id, s.method, SUM(CAST(ROUND(s.amount * 100) AS BIGINT))
FROM {TicketShare._meta.db_table} s JOIN pending p ON p.id = s.ticket_id
GROUP BY p.sold_on, s.organization_id, s.method
UNION ALL
SELECT 'v', p.sold_on, l.organization_id, NULL, SUM(CAST(ROUND(l.vat * 100) AS BIGINT))
FROM {TicketLine._meta.db_table} l JOIN pending p ON p.id = l.ticket_id
GROUP BY p.sold_on, l.organization_id
"""  # noqa: S608 (table names are ours)
CLAIM_SQL = f"""
UPDATE {_TICKET} SET summary_run_id = %s WHERE event_id = %s AND sold_on = %s AND summary_run_id IS NULL
"""  # noqa: S608 (table names are ours)
#: the tickets a day claimed are those of the day marked with the run (SQLite, or PostgreSQL when tickets synced
#: between the sums and the claim)
SHARES_SQL = f"""
SELECT s.organization_id, s.method, SUM(CAST(ROUND(s.amount * 100) AS BIGINT))
FROM {TicketShare._meta.db_table} s JOIN {_TICKET} t ON t.id = s.ticket_id
WHERE t.event_id = %s AND t.sold_on = %s AND t.summary_run_id = %s
GROUP BY s.organization_id, s.method
"""  # noqa: S608 (table names are ours)
VAT_SQL = f"""
SELECT l.organization_id, SUM(CAST(ROUND(l.vat * 100) AS BIGINT))
FROM {TicketLine._meta.db_table} l JOIN {_TICKET} t ON t.id = l.ticket_id
WHERE t.event_id = %s AND t.sold_on = %s AND t.summary_run_id = %s
GROUP BY l.organization_id
"""  # noqa: S608 (table names are ours)


def _user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "pk", None) else None


def summary_start(event: Event, *, acting_user: Any) -> SummaryRun:
    """Create a run and queue ``sales.tasks.summarize_run`` once it is committed (in process without a broker)."""
    with transaction.atomic():
        run = SummaryRun.objects.create(event=event, requested_by=_user(acting_user))
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from sales.tasks import summarize_run  # the task module imports this one

    result = summarize_run.delay(run_id)
    SummaryRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id or "")[:64])


def summarize(
    event: Event, *, acting_user: Any = None, today: date | None = None, run: SummaryRun | None = None
) -> SummaryRun:
    """Post every ticket of the event not yet in the books, sold up to ``today``, one day per transaction; summarizing
    again posts nothing (a ticket is claimed by exactly one run). A refusal marks the run failed and is raised."""
    today = today or timezone.localdate()
    done: set[date] = set()
    if run is None:
        run = SummaryRun.objects.create(event=event, requested_by=_user(acting_user))
    else:  # a run resumed (its task redelivered after a crash): the days it committed are done
        done = set(Ticket.objects.filter(event=event, summary_run=run).order_by().values_list("sold_on", flat=True))
    with _event_lock(event):
        sums = _pending_sums(event, today)
        if sums is None:
            days = set(
                Ticket.objects.filter(event=event, summary_run__isnull=True, sold_on__lte=today)
                .order_by()
                .values_list("sold_on", flat=True)
                .distinct()
            )
        else:
            days = set(sums)
        pending = sorted(days - done)
        SummaryRun.objects.filter(pk=run.pk).update(
            state=SummaryRun.State.RUNNING, days_total=len(done) + len(pending), days_done=len(done), error=""
        )
        try:
            context = _Context.load(event)
            for day in pending:
                expected = sums.get(day) if sums is not None else None
                _summarize_day(context, run, day, today=today, acting_user=acting_user, expected=expected)
        except DomainError as exc:
            _finish(run, error=exc.message())
            raise
        except Exception as exc:
            _finish(run, error=repr(exc)[:500])
            raise
    _finish(run)
    run.refresh_from_db()
    return run


@contextmanager
def _event_lock(event: Event) -> Iterator[None]:
    """PostgreSQL: one run of an event at a time, for the whole run (a session advisory lock: the server drops it
    if the worker dies); elsewhere the database's single writer serializes runs already."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, event.pk])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, event.pk])
        except DatabaseError:  # an aborted outer transaction: the lock goes with the session
            pass


def _finish(run: SummaryRun, *, error: str = "") -> None:
    state = SummaryRun.State.FAILED if error else SummaryRun.State.DONE
    SummaryRun.objects.filter(pk=run.pk).update(state=state, error=error, finished_at=timezone.now())
    run.state, run.error = state, error


@dataclass(slots=True)
class _Context:
    """What every day of a run posts with: the event and its channel, the GIE, the books, the posting rules."""

    event: Event
    gie: Organization
    names: dict[int, str]
    books: dict[int, Book]
    gie_credit: str  # 4463
    member_debit: str  # 3488
    member_credit: str  # 7121
    member_vat: str  # 4455

    @classmethod
    def load(cls, event: Event) -> "_Context":
        gie = Organization.objects.get(kind=Organization.Kind.GIE)
        members = set(event.participations.values_list("organization_id", flat=True)) | {gie.pk}
        books = {book.organization_id: book for book in Book.objects.filter(organization_id__in=members)}
        if gie.pk not in books:
            raise DomainError(ErrorCode.NO_BOOK, organization=gie.pk)
        names = dict(Organization.objects.filter(pk__in=members).values_list("pk", "legal_name_fr"))
        gie_rule, member_rule = posting_rule("fair_sale", "gie"), posting_rule("fair_sale", "member")
        return cls(
            event=Event.objects.select_related("channel").get(pk=event.pk),
            gie=gie,
            names=names,
            books=books,
            gie_credit=gie_rule.credit_account,
            member_debit=member_rule.debit_account,
            member_credit=member_rule.credit_account,
            member_vat=member_rule.vat_account,
        )

    def book(self, organization_id: int) -> Book:
        book = self.books.get(organization_id)
        if book is None:  # a member that left the event after selling: its book all the same
            book = Book.objects.select_related("organization").filter(organization_id=organization_id).first()
            if book is None:
                raise DomainError(ErrorCode.NO_BOOK, organization=organization_id)
            self.books[organization_id] = book
            self.names[organization_id] = book.organization.legal_name_fr
        return book


def _signed(account: str, amount: Decimal, partner: int | None = None) -> list[JournalLine]:
    """A debit for a positive amount, a credit for a negative one, nothing for zero."""
    if amount > 0:
        return [JournalLine(account, debit=amount, partner_id=partner)]
    if amount < 0:
        return [JournalLine(account, credit=-amount, partner_id=partner)]
    return []


Sums = tuple[int, dict[int, dict[str, Decimal]], dict[int, Decimal]]


def _pending_sums(event: Event, today: date) -> dict[date, Sums] | None:
    """PostgreSQL: per pending day, how many tickets and their sums (one statement); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    sums: dict[date, Sums] = {}
    counts: dict[date, int] = {}
    amounts: dict[date, dict[int, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    vats: dict[date, dict[int, Decimal]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(PENDING_SQL, [event.pk, today])
        for kind, day, organization_id, method, value in cursor.fetchall():
            if kind == "n":
                counts[day] = int(value)
            elif kind == "s":
                amounts[day][organization_id][method] = from_centimes(int(value or 0))
            else:
                vats[day][organization_id] = from_centimes(int(value or 0))
    for day, count in counts.items():
        sums[day] = (count, amounts.get(day, {}), vats.get(day, {}))
    return sums


def _claim(event: Event, run: SummaryRun, day: date, expected: Sums | None) -> Sums:
    """Claim the day's tickets no run has taken (marked with this run, row-locked until commit) and sum them: how
    many, money per member and method, VAT per member (SQL GROUP BY, integer centimes: exact everywhere). The sums
    made before the claim serve when the claim took exactly the tickets they counted (under the run's lock, tickets
    can only have been added since)."""
    params = [event.pk, connection.ops.adapt_datefield_value(day), run.pk]
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [run.pk, *params[:2]])
        claimed = cursor.rowcount
    if expected is not None and claimed == expected[0]:
        return expected
    amounts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    vats: dict[int, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(SHARES_SQL, params)
        for organization_id, method, centimes in cursor.fetchall():
            amounts[organization_id][method] = from_centimes(int(centimes or 0))
        cursor.execute(VAT_SQL, params)
        for organization_id, centimes in cursor.fetchall():
            vats[organization_id] = from_centimes(int(centimes or 0))
    return claimed, amounts, vats


def vat_per_method(vat: Decimal, amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    """A member's VAT of the day spread over its methods pro rata of their amounts (largest remainder): the rows sum
    to the VAT exactly. Methods whose amount is zero get none, unless every one is zero (the first then carries it)."""
    weights = {method: abs(amount) for method, amount in amounts.items() if amount}
    if not vat:
        return dict.fromkeys(amounts, ZERO)
    if not weights:
        first = sorted(amounts)[0]
        return {method: vat if method == first else ZERO for method in amounts}
    shares = allocate(vat, weights)
    return {method: shares.get(method, ZERO) for method in amounts}


def _posting_days(context: _Context, organization_ids: set[int], day: date, today: date) -> dict[int, date]:
    """Per organization: the day its entries are dated (the sale's day, or its book's first open day after a locked
    month); one query for every book of the day. A date after ``today`` cannot be posted yet: refused."""
    books = {organization_id: context.book(organization_id).pk for organization_id in organization_ids}
    by_book = first_open_days(book_ids=books.values(), on=day)
    dates = {organization_id: by_book[book_id] for organization_id, book_id in books.items()}
    for organization_id, posted_on in sorted(dates.items()):
        if posted_on > today:
            raise DomainError(ErrorCode.SALES_NO_OPEN_DAY, day=day.isoformat(), book=context.names[organization_id])
    return dates


@transaction.atomic
def _summarize_day(
    context: _Context, run: SummaryRun, day: date, *, today: date, acting_user: Any, expected: Sums | None = None
) -> None:
    """One day of one event, whole or not at all."""
    event = context.event
    Event.objects.select_for_update().filter(pk=event.pk).values_list("pk", flat=True).first()  # one run at a time
    claimed, amounts, vats = _claim(event, run, day, expected)
    created = 0
    if claimed:
        parts = {
            (row["organization_id"], row["method"]): row["last"] + 1
            for row in Summary.objects.filter(event=event, day=day)
            .values("organization_id", "method")
            .annotate(last=Max("part"))
            .order_by()
        }
        drafts, rows = _day_drafts(context, run, day, amounts, vats, parts, today=today)
        refs = journal_entries_post(drafts=drafts, acting_user=acting_user, today=today) if drafts else []
        created = sum(1 for ref in refs if ref.created)
        _summaries_write(rows)
    SummaryRun.objects.filter(pk=run.pk).update(
        days_done=F("days_done") + 1, ticket_count=F("ticket_count") + claimed, entry_count=F("entry_count") + created
    )


SUMMARY_COLUMNS = ("run_id", "event_id", "day", "organization_id", "method", "part", "posted_on", "amount", "vat")


def _summaries_write(rows: list[Summary]) -> None:
    """The day's ``Summary`` rows: one COPY on PostgreSQL (thousands of rows a day at a big fair), bulk elsewhere."""
    if connection.vendor != "postgresql":
        Summary.objects.bulk_create(rows, batch_size=2000)
        return
    table = connection.ops.quote_name(Summary._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in SUMMARY_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(getattr(row, column) for column in SUMMARY_COLUMNS))


def _day_drafts(
    context: _Context,
    run: SummaryRun,
    day: date,
    amounts: dict[int, dict[str, Decimal]],
    vats: dict[int, Decimal],
    parts: dict[tuple[int, str], int],
    *,
    today: date,
) -> tuple[list[EntryDraft], list[Summary]]:
    event, gie = context.event, context.gie
    dates = _posting_days(context, set(amounts) | set(vats) | {gie.pk}, day, today)
    drafts: list[EntryDraft] = []
    rows: list[Summary] = []
    for organization_id in sorted(set(amounts) | set(vats)):
        by_method = dict(amounts.get(organization_id, {}))
        vat = vats.get(organization_id, ZERO)
        if vat and not any(by_method.values()):
            by_method.setdefault(sorted(by_method)[0] if by_method else PaymentMethod.CASH.value, ZERO)
        vat_split = vat_per_method(vat, by_method)
        kept = {m: a for m, a in by_method.items() if a or vat_split[m]}
        if not kept:
            continue
        name = context.names[organization_id]
        gie_on, member_on = dates[gie.pk], dates[organization_id]
        signature = []
        for method in sorted(kept):
            part = parts.get((organization_id, method), 0)
            signature.append(f"{method}{part}")
            amount = kept[method]
            label = f"{_what(day, part)} · {event.slug} · {name} · {_method_label(method)}"
            lines = _signed(event.channel.account_for(method), amount) + _signed(
                context.gie_credit, -amount, organization_id
            )
            if lines:
                drafts.append(
                    EntryDraft(
                        book_id=context.book(gie.pk).pk,
                        posted_on=gie_on,
                        journal=Journal.CASH if method == PaymentMethod.CASH else Journal.MISC,
                        description=label[:120],
                        source_ref=f"{event.slug} {day.isoformat()}"[:60],
                        idempotency_key=f"sale:{event.pk}:{day.isoformat()}:{organization_id}:{method}:{part}",
                        lines=tuple(lines),
                    )
                )
            rows.append(
                Summary(
                    run=run,
                    event=event,
                    day=day,
                    organization_id=organization_id,
                    method=method,
                    part=part,
                    posted_on=max(gie_on, member_on),
                    amount=amount,
                    vat=vat_split[method],
                )
            )
        total = sum(kept.values(), ZERO)
        member_lines = (
            _signed(context.member_debit, total, gie.pk)
            + _signed(context.member_credit, -(total - vat))
            + _signed(context.member_vat, -vat)
        )
        if member_lines:
            last_part = max(parts.get((organization_id, m), 0) for m in kept)
            drafts.append(
                EntryDraft(
                    book_id=context.book(organization_id).pk,
                    posted_on=member_on,
                    journal=Journal.SALES,
                    description=f"{_what(day, last_part)} · {event.slug} · {gie.legal_name_fr}"[:120],
                    source_ref=f"{event.slug} {day.isoformat()}"[:60],
                    idempotency_key=f"sale:{event.pk}:{day.isoformat()}:{organization_id}:{'+'.join(signature)}",
                    lines=tuple(member_lines),
                )
            )
    return drafts, rows


_METHOD_LABELS: dict[str, str] = {}


def _method_label(method: str) -> str:
    if method not in _METHOD_LABELS:
        with translation.override("fr"):  # the books are kept in French, whoever runs the summary
            _METHOD_LABELS[method] = str(PaymentMethod(method).label)
    return _METHOD_LABELS[method]


def _what(day: date, part: int) -> str:
    """The entry's label names the day its tickets were sold, whatever day it is posted on."""
    if part == 0:
        return f"Ventes du {day:%d/%m/%Y}"
    return f"Complément {part} des ventes du {day:%d/%m/%Y}"
