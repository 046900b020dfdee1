"""One ticket line as a table row: the columns the sales pages export (with French headers) and ``manage.py
sales_export`` writes (with these machine names). One place, so the page and the command never disagree."""

from typing import Any

from django.db.models import QuerySet

from sales.models import TicketLine

#: the columns, in order (the command's CSV header)
LINE_FIELDS = (
    "ticket_id", "sold_at", "sold_on", "event", "device", "sequence", "paper_id", "refund_of", "member",
    "member_ice", "product_code", "product", "quantity", "unit_price", "amount", "vat_rate", "vat",
)  # fmt: skip


def lines_for_export(lines: QuerySet[TicketLine]) -> QuerySet[TicketLine]:
    """The lines with what a row reads, in the order they were sold (ticket by ticket)."""
    return lines.select_related("ticket", "ticket__event", "ticket__device", "organization", "product").order_by(
        "ticket__sold_at", "ticket_id", "pk"
    )


def line_row(line: TicketLine) -> tuple[Any, ...]:
    ticket, product = line.ticket, line.product
    return (
        str(ticket.pk), ticket.sold_at.isoformat(), ticket.sold_on, ticket.event.slug, str(ticket.device_id or ""),
        ticket.sequence, ticket.paper_id, str(ticket.refund_of_id or ""), line.organization.slug,
        line.organization.ice, product.code if product else "", product.name_fr if product else "", line.quantity,
        line.unit_price, line.amount, line.vat_rate, line.vat,
    )  # fmt: skip
