"""Members' weights under each allocation key for a period (reads only).

A key uses the members' allocation data (``members.AllocationKeyValue``) when any member has some for the period:
for a level (cooperators, capital) the last month's value in the period, else the year's; for a flow (sales, usage)
the sum of the months in the period, else the year's. A member without data then weighs 0. Without any data the
weight is counted from the records: active cooperators, the capital share, what the GIE collected for the member
(credits of 4463 in its book: fairs and shop), the entries in the member's book (the documents the GIE addresses
to it left out, so that one run does not change another's weights)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from gie_erp.core.money import ZERO, from_centimes, to_mad
from gie_erp.fees.models import CustomWeight, Key, Pool
from invoices.models import Document
from ledger import accounts
from ledger.models import Book, Entry
from ledger.selectors import movement_centimes
from members.models import AllocationKey, AllocationKeyValue, Cooperator, Organization

LEVEL_KEYS = {Key.COOPERATORS: AllocationKey.COOPERATORS, Key.CAPITAL: AllocationKey.CAPITAL}
FLOW_KEYS = {Key.SALES: AllocationKey.SALES, Key.USAGE: AllocationKey.USAGE}


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def members_in_period(start: date, end: date) -> list[Organization]:
    """The member cooperatives during the period: joined by its end, not gone before its start."""
    return list(
        Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .order_by("pk")
    )


def _key_data(key: str, ids: list[int], start: date, end: date, *, level: bool) -> dict[int, Decimal] | None:
    months = months_between(start, end)
    years = sorted({y for y, _ in months})
    rows = list(
        AllocationKeyValue.objects.filter(organization_id__in=ids, key=key, year__in=years).values_list(
            "organization_id", "year", "month", "value"
        )
    )
    if not rows:
        return None
    monthly: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    yearly: dict[int, dict[int, Decimal]] = defaultdict(dict)
    wanted = set(months)
    for organization_id, year, month, value in rows:
        if month == 0:
            yearly[organization_id][year] = value
        elif (year, month) in wanted:
            monthly[organization_id][(year, month)] = value
    out: dict[int, Decimal] = {}
    for pk in ids:
        if monthly.get(pk):
            values = monthly[pk]
            out[pk] = values[max(values)] if level else sum(values.values(), ZERO)
        elif yearly.get(pk):
            out[pk] = yearly[pk][max(yearly[pk])]
        else:
            out[pk] = ZERO
    if not any(out.values()):
        return None
    return out


def _cooperators(ids: list[int], end: date) -> dict[int, Decimal]:
    counts = dict(
        Cooperator.objects.filter(organization_id__in=ids, is_active=True)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    return {pk: Decimal(counts.get(pk, 0)) for pk in ids}


def _capital(ids: list[int]) -> dict[int, Decimal]:
    values = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "capital_share"))
    return {pk: values.get(pk) or ZERO for pk in ids}


def gie_book() -> Book | None:
    return Book.objects.filter(organization__kind=Organization.Kind.GIE).first()


def _sales(ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    book = gie_book()
    if book is None:
        return dict.fromkeys(ids, ZERO)
    moves = movement_centimes(book_ids=[book.pk], start=start, end=end, by_partner=True)
    credits: dict[int, int] = defaultdict(int)
    for key, (_debit, credit) in moves.items():
        _book, code, partner = key
        if code == accounts.PARTNER_CURRENT_CREDIT and partner:
            credits[partner] += credit
    return {pk: from_centimes(credits.get(pk, 0)) for pk in ids}


def _usage(ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    counts = dict(
        Entry.objects.filter(book__organization_id__in=ids, posted_on__gte=start, posted_on__lte=end)
        .exclude(idempotency_key__endswith=":buyer")
        .values("book__organization_id")
        .annotate(n=Count("pk"))
        .values_list("book__organization_id", "n")
    )
    return {pk: Decimal(counts.get(pk, 0)) for pk in ids}


def fees_charged(ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Fees the GIE charged each member in the year (validated fee invoices, HT, less their credit notes)."""
    ids = list(ids)
    rows = (
        Document.objects.filter(
            origin=Document.Origin.FEE_RUN,
            customer__organization_id__in=ids,
            issued_on__year=year,
            issuer__kind=Organization.Kind.GIE,
        )
        .exclude(status=Document.Status.DRAFT)
        .values("customer__organization_id", "kind")
        .annotate(net=Sum("total_net"))
    )
    out = dict.fromkeys(ids, ZERO)
    for row in rows:
        sign = -1 if row["kind"] == Document.Kind.CREDIT_NOTE else 1
        out[row["customer__organization_id"]] += sign * (row["net"] or ZERO)
    return {pk: max(to_mad(value), ZERO) for pk, value in out.items()}  # SQLite sums come back with 12 places


def weights(
    key: str, members: list[Organization], start: date, end: date, pool: Pool | None = None
) -> dict[int, Decimal]:
    """Each member's weight under ``key`` for the period, by member id in the order given."""
    ids = [m.pk for m in members]
    if key == Key.EQUAL:
        return dict.fromkeys(ids, Decimal(1))
    if key == Key.CUSTOM:
        if pool is None:
            return dict.fromkeys(ids, ZERO)
        found = dict(
            CustomWeight.objects.filter(pool=pool, organization_id__in=ids).values_list("organization_id", "weight")
        )
        return {pk: found.get(pk, ZERO) for pk in ids}
    if key == Key.FEES:
        return fees_charged(ids, end.year)
    if key in LEVEL_KEYS:
        data = _key_data(LEVEL_KEYS[Key(key)], ids, start, end, level=True)
        if data is not None:
            return data
        return _cooperators(ids, end) if key == Key.COOPERATORS else _capital(ids)
    if key in FLOW_KEYS:
        data = _key_data(FLOW_KEYS[Key(key)], ids, start, end, level=False)
        if data is not None:
            return data
        return _sales(ids, start, end) if key == Key.SALES else _usage(ids, start, end)
    raise ValueError(f"unknown key {key!r}")
