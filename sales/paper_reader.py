"""Reading a paper tally (``sales.paper``): the sheet's rows checked one by one against tables loaded once — member,
product, quantity (whole for pieces, boxes and pots), price, payment method, the moment of the sale within the
event — and gathered into tickets, with every refusal worded as people read it, in French and Arabic. No write."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount, format_day
from gie_erp.core.imports import MB, ImportLimits, ImportReport
from members.models import Organization
from sales.catalogue_import import find_member
from sales.consignment import DIVISIBLE_UNITS
from sales.events import TILL_MARGIN
from sales.models import Event, PaymentMethod, Product
from sales.quantities import format_quantity, parse_quantity
from sales.tickets import CLOCK_SKEW

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
#: the columns as a message names them (the report's « Champ » column keeps the sheet's own names)
FIELD_LABELS = {
    "ticket_id": _("numéro du ticket"),
    "sold_at": _("date et heure de la vente"),
    "member": _("coopérative"),
    "product": _("produit"),
    "quantity": _("quantité"),
    "unit_price": _("prix unitaire"),
    "payment_method": _("moyen de paiement"),
}
#: what a ticket's rows disagree on, as « le ticket a un autre … »
OTHER_LABELS = {"sold_at": _("moment de la vente"), "payment_method": _("moyen de paiement")}
#: rows of a refused ticket named in its message, and lines at another price kept in the result
ROWS_NAMED = 10
OTHER_PRICES_LISTED = 20


def _localized(render: Callable[[], str]) -> Any:
    """A text rendered in the language active when it is shown (the report renders French, then Arabic)."""
    return lazy(render, str)()


def _named(french: str, arabic: str) -> Any:
    """A name in Arabic where it has one and the report is in Arabic, else in French."""
    return _localized(lambda: arabic if arabic and (get_language() or "")[:2] == "ar" else french)


def format_moment(moment: datetime) -> str:
    """``21/11/2026 10:15``, local time: a sale's date and hour as people write them."""
    local = timezone.localtime(moment)
    return f"{format_day(local.date())} {local:%H:%M}"


@dataclass(frozen=True, slots=True)
class _Item:
    """A product as the sheet names it: what a row needs, loaded once for the whole sheet."""

    pk: int
    code: str
    price: Decimal
    unit: str
    name_fr: str
    name_ar: str


@dataclass(frozen=True, slots=True)
class OtherPrice:
    """A row sold at another unit price than the catalogue's (a discount, or a slip of the pen)."""

    row: int
    code: str
    name_fr: str
    name_ar: str
    catalogue: Decimal
    sheet: Decimal


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
    #: rows at another price than the catalogue's: how many, and the first ``OTHER_PRICES_LISTED`` in sheet order
    other_price_count: int = 0
    other_prices: tuple[OtherPrice, ...] = ()


def price_notice(result: PaperResult) -> str:
    """What the import page adds to its success message when lines were sold at another price than the
    catalogue's: how many, and each listed (row, product, catalogue price, sheet price); empty otherwise."""
    count = result.other_price_count
    if not count:
        return ""
    arabic = (get_language() or "")[:2] == "ar"
    lines = "; ".join(
        gettext("ligne %(row)s : %(product)s, %(catalogue)s DH au catalogue, %(sheet)s DH sur la feuille")
        % {
            "row": line.row,
            "product": f"{(line.name_ar if arabic and line.name_ar else line.name_fr)} ({line.code})",
            "catalogue": format_amount(line.catalogue),
            "sheet": format_amount(line.sheet),
        }
        for line in result.other_prices
    )
    text = ngettext(
        "%(count)s ligne vendue à un autre prix que celui du catalogue : %(lines)s.",
        "%(count)s lignes vendues à un autre prix que celui du catalogue : %(lines)s.",
        count,
    ) % {"count": count, "lines": lines}
    if count > len(result.other_prices):
        text += " " + gettext("(les %(shown)s premières seulement)") % {"shown": len(result.other_prices)}
    return text


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
    """Checks rows against tables loaded once; collects tickets, row errors and the lines at another price."""

    def __init__(self, event: Event, report: ImportReport, now: datetime | None = None) -> None:
        self.report = report
        participants = list(Organization.objects.filter(pk__in=event.participations.values("organization_id")))
        self.members = {key: org for org in participants for key in (org.slug, org.ice)}
        self.outsiders = {
            key: org
            for org in Organization.objects.exclude(pk__in=[p.pk for p in participants])
            for key in (org.slug, org.ice)
        }
        self.products: dict[tuple[int, str], _Item] = {
            (org_id, code): _Item(pk, code, price, unit, name_fr, name_ar)
            for pk, org_id, code, price, unit, name_fr, name_ar in Product.objects.filter(
                organization__in=participants
            ).values_list("pk", "organization_id", "code", "price", "unit", "name_fr", "name_ar")
        }
        # the till's rule (sales.tickets): a day's margin around the event, a few minutes ahead of the clock at most
        self.first_day = event.starts_on - TILL_MARGIN
        self.last_day = event.ends_on + TILL_MARGIN if event.ends_on else None
        self.latest = (now or timezone.now()) + CLOCK_SKEW
        self.member_cache: dict[str, tuple[Organization | None, Organization | None]] = {}
        self.time_cache: dict[str, tuple[datetime | None, Any]] = {}
        self.quantities: dict[str, Decimal] = {}  # text → parsed, the valid ones only
        self.prices: dict[str, Decimal] = {}
        self.tickets: dict[str, _Paper] = {}
        self.other_price_count = 0
        self.other_prices: list[OtherPrice] = []

    def add(self, number: int, name: str, code: ErrorCode, **params: Any) -> None:
        """A row error naming its column as people read it (« moyen de paiement », not ``payment_method``)."""
        self.report.add(number, name, code, **{"field": FIELD_LABELS[name], **params})

    def member(self, number: int, text: str) -> Organization | None:
        """A participant by slug or ICE; else a row error saying whether it is unknown or not at this event."""
        if text not in self.member_cache:
            found = find_member(self.members, text)
            outsider = find_member(self.outsiders, text) if found is None else None
            self.member_cache[text] = (found, outsider)
        found, outsider = self.member_cache[text]
        if outsider is not None:
            name = _named(outsider.legal_name_fr, outsider.legal_name_ar)
            self.add(number, "member", ErrorCode.IMPORT_NOT_AT_EVENT, value=name)
        elif found is None:
            self.add(number, "member", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=text[:80])
        return found

    def _moment(self, text: str) -> tuple[datetime | None, Any]:
        """The time a text says, and why the till would refuse it (None when it would not)."""
        moment = parse_sold_at(text)
        if moment is None:
            return None, None
        day = timezone.localdate(moment)
        if day < self.first_day or (self.last_day is not None and day > self.last_day):
            dates = {"first": format_day(self.first_day + TILL_MARGIN)}
            if self.last_day is None:
                reason = _("avant l'ouverture de l'événement (le %(first)s, un jour avant au plus)")
            else:
                reason = _("hors des dates de l'événement (du %(first)s au %(last)s, un jour avant ou après au plus)")
                dates["last"] = format_day(self.last_day - TILL_MARGIN)
            return moment, _localized(lambda: str(reason) % dates)
        if moment > self.latest:
            return moment, _("vente datée dans le futur")
        return moment, None

    def sold_at(self, number: int, text: str) -> datetime | None:
        """The time of the sale (each text read once), else a row error: unreadable, outside the event, or to come."""
        if text not in self.time_cache:
            self.time_cache[text] = self._moment(text)
        moment, refusal = self.time_cache[text]
        if moment is None:
            self.add(number, "sold_at", ErrorCode.IMPORT_BAD_DATE, value=text[:80])
        elif refusal is not None:
            self.add(number, "sold_at", ErrorCode.IMPORT_INVALID_FIELD, value=format_moment(moment), reason=refusal)
        return moment

    def quantity(self, number: int, text: str) -> Decimal | None:
        """The quantity written (a sheet repeats a few: each text is parsed once), else a row error."""
        found = self.quantities.get(text)
        if found is None:
            try:
                found = self.quantities[text] = parse_quantity(text, allow_zero=False)
            except DomainError as error:
                self.add(number, "quantity", error.code, **error.params)
        return found

    def whole(self, number: int, item: _Item, quantity: Decimal) -> None:
        """A product counted by the piece, box or pot is sold whole (``sales.consignment.quantity_check``)."""
        if item.unit not in DIVISIBLE_UNITS and quantity != quantity.to_integral_value():
            self.add(
                number,
                "quantity",
                ErrorCode.QUANTITY_NOT_WHOLE,
                product=_named(item.name_fr, item.name_ar),
                unit=Product.Unit(item.unit).label,
                value=format_quantity(quantity),
            )

    def price(self, number: int, text: str) -> Decimal | None:
        """The unit price written (each text parsed once), else a row error."""
        found = self.prices.get(text)
        if found is None:
            try:
                found = self.prices[text] = parse_amount(text)
            except AmountError as error:
                self.add(number, "unit_price", error.code, **error.params)
        return found

    def other_price(self, number: int, item: _Item, price: Decimal) -> None:
        """Kept: a row whose written price is not the catalogue's (accepted, but the result lists it)."""
        self.other_price_count += 1
        if len(self.other_prices) < OTHER_PRICES_LISTED:
            self.other_prices.append(OtherPrice(number, item.code, item.name_fr, item.name_ar, item.price, price))

    def disagrees(self, number: int, name: str, ticket_id: str, paper: _Paper, expected: Any) -> None:
        """A row of a ticket says another time or method than the ticket's first row."""
        self.add(
            number,
            name,
            ErrorCode.PAPER_TICKET_DISAGREES,
            field=OTHER_LABELS[name],
            ticket=ticket_id,
            first=paper.rows[0],
            expected=expected,
        )

    def read(self, row: dict[str, str], number: int) -> None:
        add = self.add
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
        item: _Item | None = None
        code = row.get("product", "")
        if organization is not None and code:
            item = self.products.get((organization.pk, code))
            if item is None:
                member = _named(organization.legal_name_fr, organization.legal_name_ar)
                add(number, "product", ErrorCode.IMPORT_UNKNOWN_PRODUCT, member=member, value=code[:80])
        quantity = price = None
        if row.get("quantity"):
            quantity = self.quantity(number, row["quantity"])
            if quantity is not None and item is not None:
                self.whole(number, item, quantity)
        if row.get("unit_price"):
            price = self.price(number, row["unit_price"])
            if price is not None and item is not None and price != item.price:
                self.other_price(number, item, price)
        elif item is not None:
            price = item.price
        if not ticket_id:
            return
        paper = self.tickets.get(ticket_id)
        if paper is None:
            paper = self.tickets[ticket_id] = _Paper([], sold_at_text, method_text, sold_at, method)
        else:
            if sold_at is not None and paper.sold_at is not None and sold_at != paper.sold_at:
                self.disagrees(number, "sold_at", ticket_id, paper, format_moment(paper.sold_at))
            if method is not None and paper.method is not None and method != paper.method:
                self.disagrees(number, "payment_method", ticket_id, paper, PaymentMethod(paper.method).label)
        paper.rows.append(number)
        if item is not None and quantity is not None and price is not None:
            paper.lines.append((item.pk, quantity, price))
