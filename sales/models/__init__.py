"""Collective sales in mandate mode: channels and events, members' products, consigned stock, till devices and
shifts, tickets synced from phones (each UUID stored once), their summaries in the books, settlements to members.

A ticket is the fact; everything the books hold is derived from tickets in bulk (``summaries``), never one entry
per ticket. Amounts are signed: a refund ticket carries negative lines and payments.
"""

from sales.models.books import Settlement, Summary, SummaryRun
from sales.models.catalogue import Deposit, Product
from sales.models.events import Channel, Event, Participation, SalesTerms
from sales.models.money import ZERO, CommissionBase, PaymentMethod
from sales.models.till import Device, Shift, SyncConflict, Ticket, TicketLine, TicketPayment, TicketShare

__all__ = [
    "ZERO",
    "Channel",
    "CommissionBase",
    "Deposit",
    "Device",
    "Event",
    "Participation",
    "PaymentMethod",
    "Product",
    "SalesTerms",
    "Settlement",
    "Shift",
    "Summary",
    "SummaryRun",
    "SyncConflict",
    "Ticket",
    "TicketLine",
    "TicketPayment",
    "TicketShare",
]
