"""Paper tallies: the sheets sellers without a phone fill in, imported as tickets (``paper_import``).

Columns ``ticket_id, sold_at, member, product, quantity, unit_price, payment_method``: one row per product sold;
the rows that share a ``ticket_id`` make one ticket (paid in full by one method, at one time). The member is
named by slug or ICE and must take part in the event; the product by its code within that member; an empty
unit price takes the catalogue's. A product counted by the piece, box or pot takes whole quantities; a sale dated
outside the event (a day's margin, as the till) or in the future is refused on its row. A price other than the
catalogue's is accepted (a discount) but listed in the result (``PaperResult.other_prices``, ``price_notice``).

All or nothing: every row is checked first (against member and product tables loaded once: no query per row),
then the tickets go through ``sales.tickets.tickets_ingest``, the one write path, in batches inside one
transaction; a ticket it would hold or reject rolls everything back and is reported against its rows, its reason
in French and Arabic (the write path words it in the active language: the refused tickets are run through it again
under each). Every message names columns, methods and dates as people read them (``21/11/2026 10:15``). Idempotent
by ``ticket_id``: a ticket's UUID is derived from (event, ticket_id), so the same sheet imported again finds its
tickets already there and writes nothing; the same ticket_id with other content is refused.

Sized for a whole fair (200,000 lines, ``bench/sales_paper.py``): the file is read row by row
(``gie_erp.core.imports.iter_table``), tickets are kept as compact tuples, and payloads are built one batch at a time,
in the order the tickets were sold.
"""

import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext_lazy as _

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import REPORT_LANGUAGES, ImportRefused, ImportReport, RowError, iter_table
from members.imports import ColumnGuide
from sales.maths import line_amount
from sales.models import Event, PaymentMethod, Ticket
from sales.paper_reader import (
    EPOCH,
    FIELD_LABELS,
    METHOD_WORDS,
    PAPER_IMPORTED,
    PAPER_LIMITS,
    REQUIRED,
    ROWS_NAMED,
    PaperResult,
    _localized,
    _Paper,
    _Reader,
    price_notice,
)
from sales.tickets import MAX_BATCH, Status, paper_ticket_id, tickets_ingest

__all__ = ["PAPER_LIMITS", "PaperResult", "paper_column_guide", "paper_import", "price_notice"]


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


def _reasons(payloads: Sequence[dict[str, Any]], now: datetime) -> dict[str, dict[str, str]]:
    """Why the write path refuses each of these tickets, by ticket UUID, in every report language: it words its
    reasons in the active language only, so the tickets go through it again under each (inside the import's
    transaction, which is rolled back: what it holds meanwhile is not kept)."""
    reasons: dict[str, dict[str, str]] = {}
    for language in REPORT_LANGUAGES:
        with override(language):
            for ack in tickets_ingest(payloads, source=Ticket.Source.PAPER, now=now):
                reasons.setdefault(ack.id, {})[language] = ack.message
    return reasons


def _refused(ticket_id: str, rows: list[int], reasons: dict[str, str]) -> RowError:
    """The row error of a ticket the write path refused: its rows (« ligne 3 », « lignes 3, 4 »), its reason."""
    shown = ", ".join(str(number) for number in rows[:ROWS_NAMED]) + (", …" if len(rows) > ROWS_NAMED else "")

    def render() -> str:
        language = (get_language() or "fr")[:2]
        text = ngettext(
            "Ticket %(ticket)s (ligne %(rows)s) refusé : %(reason)s",
            "Ticket %(ticket)s (lignes %(rows)s) refusé : %(reason)s",
            len(rows),
        )
        return text % {"ticket": ticket_id, "rows": shown, "reason": reasons.get(language) or reasons.get("fr", "")}

    params = {"field": FIELD_LABELS["ticket_id"], "ticket": ticket_id, "rows": shown, "reason": reasons.get("fr", "")}
    return RowError(rows[0], "ticket_id", ErrorCode.PAPER_TICKET_REFUSED, params, text=_localized(render))


def paper_import(
    *, event: Event, filename: str, content: bytes, acting_user: Any, now: datetime | None = None
) -> PaperResult:
    """Import a paper tally into ``event``: every row valid and every ticket stored (or already there with the
    same content), or nothing written (``ImportRefused``, its rows named in order). Audited when something was
    stored."""
    started = time.perf_counter()
    report = ImportReport(max_errors=PAPER_LIMITS.max_errors)
    header, rows = iter_table(filename, content, PAPER_LIMITS)
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise DomainError(ErrorCode.IMPORT_MISSING_FIELD, field=", ".join(absent))
    moment = now or timezone.now()
    reader = _Reader(event, report, moment)
    for row in rows:
        report.rows_read += 1
        reader.read(row, row.number)
    if not report.ok:
        report.sort()
        raise ImportRefused(report)
    stored = duplicates = 0
    try:
        with transaction.atomic(durable=True):
            refused: list[tuple[str, dict[str, Any]]] = []
            for batch in _payloads(event, reader.tickets):
                acks = tickets_ingest([payload for _t, payload in batch], source=Ticket.Source.PAPER, now=moment)
                for (ticket_id, payload), ack in zip(batch, acks, strict=True):
                    if ack.status == Status.STORED:
                        stored += 1
                    elif ack.status == Status.DUPLICATE:
                        duplicates += 1
                    elif len(refused) < report.max_errors:
                        refused.append((ticket_id, payload))
                    else:
                        report.error_count += 1  # counted, not listed
            if refused:
                reasons = _reasons([payload for _t, payload in refused], moment)
                for ticket_id, payload in refused:
                    report.add_error(
                        _refused(ticket_id, reader.tickets[ticket_id].rows, reasons.get(payload["id"], {}))
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
        report.sort()
        raise ImportRefused(report) from None
    return PaperResult(
        rows_read=report.rows_read,
        tickets=len(reader.tickets),
        stored=stored,
        duplicates=duplicates,
        seconds=time.perf_counter() - started,
        other_price_count=reader.other_price_count,
        other_prices=tuple(reader.other_prices),
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
