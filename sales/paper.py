"""Paper tallies: the sheets sellers without a phone fill in, imported as tickets (``paper_import``).

Columns ``ticket_id, sold_at, member, product, quantity, unit_price, payment_method``: one row per product sold;
the rows that share a ``ticket_id`` make one ticket (paid in full by one method, at one time). The member is
named by slug or ICE and must take part in the event; the product by its code within that member; an empty
unit price takes the catalogue's.

All or nothing: every row is checked first (against member and product tables loaded once: no query per row),
then the tickets go through ``sales.tickets.tickets_ingest``, the one write path, in batches inside one
transaction; a ticket it would hold or reject rolls everything back and is reported against its rows. Idempotent
by ``ticket_id``: a ticket's UUID is derived from (event, ticket_id), so the same sheet imported again finds its
tickets already there and writes nothing; the same ticket_id with other content is refused.

Sized for a whole fair (200,000 lines, ``bench/sales_paper.py``): the file is read row by row
(``gie_erp.core.imports.iter_table``), tickets are kept as compact tuples, and payloads are built one batch at a time,
in the order the tickets were sold.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, ImportReport, iter_table
from members.imports import ColumnGuide
from members.models import Organization
from sales.catalogue_import import find_member
from sales.maths import line_amount
from sales.models import Event, PaymentMethod, Product, Ticket
from sales.quantities import parse_quantity
from sales.tickets import MAX_BATCH, Status, paper_ticket_id, tickets_ingest

PAPER_IMPORTED = "sales.paper_imported"
#: A whole fair: 160 stands × 10 days; a CSV line of the tally is about 70 bytes.
PAPER_LIMITS = ImportLimits(max_bytes=40 * MB, max_rows=200_000)
COLUMNS = ("ticket_id", "sold_at", "member", "product", "quantity", "unit_price", "payment_method")
REQUIRED = ("ticket_id", "sold_at", "member", "product", "quantity", "payment_method")
MAX_TICKET_ID = 60  # Ticket.paper_id
METHOD_WORDS = {
    "cash": PaymentMethod.CASH,
    "especes": PaymentMethod.CASH,
    "espèces": PaymentMethod.CASH,
    "نقدا": PaymentMethod.CASH,
    "card": PaymentMethod.CARD,
    "carte": PaymentMethod.CARD,
    "بطاقة": PaymentMethod.CARD,
    "mobile": PaymentMethod.MOBILE,
    "cheque": PaymentMethod.CHEQUE,
    "chèque": PaymentMethod.CHEQUE,
    "شيك": PaymentMethod.CHEQUE,
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # sorts a ticket without a time first (none reaches the write path)
_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d")


@dataclass(slots=True)
class _Paper:
    """One ticket of the sheet as read so far: its rows, its time and method (as first written), its lines."""

    rows: list[int]
    sold_at_text: str
    method_text: str
    sold_at: datetime | None
    method: str | None
    lines: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PaperResult:
    rows_read: int
    tickets: int
    stored: int
    duplicates: int
    seconds: float


def parse_sold_at(text: str) -> datetime | None:
    """An ISO date-time (``2026-11-21T11:05``, with or without offset), ``21/11/2026 11:05``, or a date alone (noon);
    local time (Africa/Casablanca) unless the text says otherwise."""
    moment = None
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None:
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware just below
            except ValueError:
                continue
            break
    if moment is None:
        return None
    if len(text.strip()) <= len("21/11/2026"):  # a day without its hour: noon, safely inside the day
        moment = datetime.combine(moment.date(), clock(12))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class _Reader:
    """Checks rows against tables loaded once; collects tickets and row errors."""

    def __init__(self, event: Event, report: ImportReport) -> None:
        self.report = report
        participants = list(Organization.objects.filter(pk__in=event.participations.values("organization_id")))
        self.members = {key: org for org in participants for key in (org.slug, org.ice)}
        self.outsiders = {
            key: org
            for org in Organization.objects.exclude(pk__in=[p.pk for p in participants])
            for key in (org.slug, org.ice)
        }
        self.products: dict[tuple[int, str], tuple[int, Decimal]] = {
            (org_id, code): (pk, price)
            for pk, org_id, code, price in Product.objects.filter(organization__in=participants).values_list(
                "pk", "organization_id", "code", "price"
            )
        }
        self.member_cache: dict[str, tuple[Organization | None, Organization | None]] = {}
        self.time_cache: dict[str, datetime | None] = {}
        self.quantities: dict[str, Decimal] = {}  # text → parsed, the valid ones only
        self.prices: dict[str, Decimal] = {}
        self.tickets: dict[str, _Paper] = {}

    def member(self, number: int, text: str) -> Organization | None:
        """A participant by slug or ICE; else a row error saying whether it is unknown or not at this event."""
        if text not in self.member_cache:
            found = find_member(self.members, text)
            outsider = find_member(self.outsiders, text) if found is None else None
            self.member_cache[text] = (found, outsider)
        found, outsider = self.member_cache[text]
        if outsider is not None:
            self.report.add(number, "member", ErrorCode.IMPORT_NOT_AT_EVENT, value=outsider.legal_name_fr)
        elif found is None:
            self.report.add(number, "member", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=text[:80])
        return found

    def sold_at(self, number: int, text: str) -> datetime | None:
        if text not in self.time_cache:
            self.time_cache[text] = parse_sold_at(text)
        moment = self.time_cache[text]
        if moment is None:
            self.report.add(number, "sold_at", ErrorCode.IMPORT_BAD_DATE, value=text[:80])
        return moment

    def quantity(self, number: int, text: str) -> Decimal | None:
        """The quantity written (a sheet repeats a few: each text is parsed once), else a row error."""
        found = self.quantities.get(text)
        if found is None:
            try:
                found = self.quantities[text] = parse_quantity(text, allow_zero=False)
            except DomainError as error:
                self.report.add(number, "quantity", error.code, **error.params)
        return found

    def price(self, number: int, text: str) -> Decimal | None:
        """The unit price written (each text parsed once), else a row error."""
        found = self.prices.get(text)
        if found is None:
            try:
                found = self.prices[text] = parse_amount(text)
            except AmountError as error:
                self.report.add(number, "unit_price", error.code, **error.params)
        return found

    def read(self, row: dict[str, str], number: int) -> None:
        add = self.report.add
        missing = [name for name in REQUIRED if not row.get(name)]
        for name in missing:
            add(number, name, ErrorCode.IMPORT_MISSING_FIELD)
        ticket_id = row.get("ticket_id", "")
        if len(ticket_id) > MAX_TICKET_ID:
            add(number, "ticket_id", ErrorCode.IMPORT_BAD_VALUE, value=ticket_id[:80])
            return
        sold_at_text, method_text = row.get("sold_at", ""), row.get("payment_method", "")
        sold_at = self.sold_at(number, sold_at_text) if sold_at_text else None
        method = METHOD_WORDS.get(method_text.casefold()) if method_text else None
        if method_text and method is None:
            add(number, "payment_method", ErrorCode.IMPORT_BAD_VALUE, value=method_text[:80])
        organization = self.member(number, row["member"]) if row.get("member") else None
        product: tuple[int, Decimal] | None = None
        code = row.get("product", "")
        if organization is not None and code:
            product = self.products.get((organization.pk, code))
            if product is None:
                add(
                    number,
                    "product",
                    ErrorCode.IMPORT_UNKNOWN_PRODUCT,
                    member=organization.legal_name_fr,
                    value=code[:80],
                )
        quantity = price = None
        if row.get("quantity"):
            quantity = self.quantity(number, row["quantity"])
        if row.get("unit_price"):
            price = self.price(number, row["unit_price"])
        elif product is not None:
            price = product[1]
        if not ticket_id:
            return
        paper = self.tickets.get(ticket_id)
        if paper is None:
            paper = self.tickets[ticket_id] = _Paper([], sold_at_text, method_text, sold_at, method)
        else:
            if sold_at is not None and paper.sold_at is not None and sold_at != paper.sold_at:
                add(
                    number,
                    "sold_at",
                    ErrorCode.PAPER_TICKET_DISAGREES,
                    ticket=ticket_id,
                    first=paper.rows[0],
                    expected=paper.sold_at_text[:40],
                )
            if method is not None and paper.method is not None and method != paper.method:
                add(
                    number,
                    "payment_method",
                    ErrorCode.PAPER_TICKET_DISAGREES,
                    ticket=ticket_id,
                    first=paper.rows[0],
                    expected=paper.method_text[:40],
                )
        paper.rows.append(number)
        if product is not None and quantity is not None and price is not None:
            paper.lines.append((product[0], quantity, price))


def _payloads(event: Event, tickets: dict[str, _Paper]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The tickets as the till would send them, one batch of ``MAX_BATCH`` at a time, in the order they were sold:
    the write path reads the VAT rates of each (VAT code, day) a batch names, so a batch of one or two days costs
    a few reads where a batch spread over the fair's ten days cost twenty (it reads a batch's products at once)."""
    batch: list[tuple[str, dict[str, Any]]] = []
    ordered = sorted(tickets.items(), key=lambda item: (item[1].sold_at or EPOCH, item[0]))
    for ticket_id, paper in ordered:
        assert paper.sold_at is not None  # checked: the sheet had no error
        assert paper.method is not None
        total = sum((line_amount(quantity, price) for _p, quantity, price in paper.lines), Decimal("0.00"))
        payload = {
            "id": str(paper_ticket_id(event, ticket_id)),
            "event": event.slug,
            "paper_id": ticket_id,
            "sold_at": paper.sold_at.isoformat(),
            "lines": [
                {"product": product, "quantity": str(quantity), "unit_price": str(price)}
                for product, quantity, price in paper.lines
            ],
            "payments": [{"method": paper.method, "amount": str(total)}],
        }
        batch.append((ticket_id, payload))
        if len(batch) == MAX_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Refused(Exception):
    """Raised inside the write transaction to roll it back."""


def paper_import(
    *, event: Event, filename: str, content: bytes, acting_user: Any, now: datetime | None = None
) -> PaperResult:
    """Import a paper tally into ``event``: every row valid and every ticket stored (or already there with the
    same content), or nothing written (``ImportRefused``, its rows named). Audited when something was stored."""
    started = time.perf_counter()
    report = ImportReport(max_errors=PAPER_LIMITS.max_errors)
    header, rows = iter_table(filename, content, PAPER_LIMITS)
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise DomainError(ErrorCode.IMPORT_MISSING_FIELD, field=", ".join(absent))
    reader = _Reader(event, report)
    for row in rows:
        report.rows_read += 1
        reader.read(row, row.number)
    if not report.ok:
        raise ImportRefused(report)
    stored = duplicates = 0
    moment = now or timezone.now()
    try:
        with transaction.atomic(durable=True):
            for batch in _payloads(event, reader.tickets):
                acks = tickets_ingest([payload for _t, payload in batch], source=Ticket.Source.PAPER, now=moment)
                for (ticket_id, _payload), ack in zip(batch, acks, strict=True):
                    if ack.status == Status.STORED:
                        stored += 1
                    elif ack.status == Status.DUPLICATE:
                        duplicates += 1
                    else:
                        rows_text = ", ".join(str(n) for n in reader.tickets[ticket_id].rows[:10])
                        report.add(
                            reader.tickets[ticket_id].rows[0],
                            "ticket_id",
                            ErrorCode.PAPER_TICKET_REFUSED,
                            ticket=ticket_id,
                            rows=rows_text,
                            reason=ack.message,
                        )
            if not report.ok:
                raise _Refused
            report.rows_written = stored
            if stored:
                audit_record(
                    actor=acting_user,
                    event=PAPER_IMPORTED,
                    target=event,
                    data={"file": filename, "count": report.rows_read, "tickets": stored},
                )
    except _Refused:
        raise ImportRefused(report) from None
    return PaperResult(
        rows_read=report.rows_read,
        tickets=len(reader.tickets),
        stored=stored,
        duplicates=duplicates,
        seconds=time.perf_counter() - started,
    )


def paper_column_guide() -> list[ColumnGuide]:
    """The columns of the paper tally, with the values each accepts and an example (the import page's guide)."""
    methods = tuple((word, PaymentMethod(value).label) for word, value in METHOD_WORDS.items() if word == value)
    return [
        ColumnGuide(
            "ticket_id",
            required=True,
            meaning=_("numéro du ticket sur la feuille : les lignes d'un même ticket portent le même numéro"),
            example="F12-0031",
        ),
        ColumnGuide(
            "sold_at",
            required=True,
            meaning=_("date et heure de la vente (AAAA-MM-JJ HH:MM ou JJ/MM/AAAA HH:MM)"),
            example="2026-11-21 11:05",
        ),
        ColumnGuide(
            "member", required=True, meaning=_("nom court (slug) ou ICE de la coopérative"), example="coop-miel"
        ),
        ColumnGuide("product", required=True, meaning=_("code du produit chez ce membre"), example="miel-250"),
        ColumnGuide("quantity", required=True, meaning=_("quantité vendue (3 décimales au plus)"), example="2"),
        ColumnGuide(
            "unit_price", required=False, meaning=_("prix unitaire TTC (vide : le prix du catalogue)"), example="120,00"
        ),
        ColumnGuide(
            "payment_method", required=True, meaning=_("moyen de paiement du ticket"), values=methods, example="cash"
        ),
    ]
