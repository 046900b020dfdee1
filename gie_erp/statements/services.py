"""Monthly statements: build one (figures from the balance table), render it to PDF, print a batch of them.

Rendering reads only; the batch services own their transactions and write an audit row. Tasks and views call these.
"""

import io
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from gie_erp.core.audit import audit_record
from gie_erp.core.i18n import format_day, format_month
from gie_erp.core.money import from_centimes
from gie_erp.core.pdf import BILINGUAL_CSS, PageOverflow, amount_html, qr_svg, render_pdf
from gie_erp.statements import pictograms, wording
from gie_erp.statements.layout import (
    DetailKind,
    DetailLine,
    RowFigure,
    StatementFigures,
    detail_lines,
    statement_figures,
)
from gie_erp.statements.mapping import CLOSING, DEFAULT_MAPPING, OPENING, Flow, StatementMapping, StatementRow
from gie_erp.statements.models import StatementBatch, StatementBatchItem
from gie_erp.statements.selectors import gie_id_get, month_inputs, statement_members
from members.models import Organization

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "statements"
STATEMENT_CSS = TEMPLATE_DIR / "statement.css"
STORAGE_DIR = "statements"
ITEM_LEASE = timedelta(minutes=2)  # a statement renders in well under a second; a claim this old was abandoned
logger = logging.getLogger(__name__)
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


class StatementError(ValueError):
    """A statement or batch cannot be made (bad month, no member to print)."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One cooperative's month: the figures, the detail lines and the URL of the same statement in the portal."""

    organization: Organization
    year: int
    month: int
    figures: StatementFigures
    details: tuple[DetailLine, ...]
    portal_url: str


def check_month(year: int, month: int) -> None:
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise StatementError(_("Mois invalide : %(year)s-%(month)s.") % {"year": year, "month": month})


def statement_file_name(*, slug: str, year: int, month: int) -> str:
    return f"{slug}-{year:04d}-{month:02d}.pdf"


def portal_url(*, slug: str, year: int, month: int) -> str:
    """Absolute URL of the statement in the cooperative portal (settings.SITE_URL, else the dev server)."""
    site = (getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")
    path = reverse("statements:download", kwargs={"org_slug": slug, "year": year, "month": month})
    return f"{site}{path}"


def detail_limit_for(shown_rows: int, *, tamazight: bool) -> int:
    """How many detail lines usually fit on the page under this many figure rows (statement_pdf shortens the
    detail further if a long name or label still pushes the page over)."""
    limit = 9 if shown_rows <= 5 else 8 if shown_rows <= 7 else 7
    return limit - 1 if tamazight else limit


def is_compact(shown_rows: int) -> bool:
    """Smaller figure rows when there are many of them, so the page stays one page."""
    return shown_rows > 5


def is_dense(shown_rows: int) -> bool:
    """Smaller still when nearly every kind of movement happened in the month."""
    return shown_rows > 8


def statement_build(
    *,
    organization: Organization,
    year: int,
    month: int,
    mapping: StatementMapping = DEFAULT_MAPPING,
    detail_limit: int | None = None,
) -> Statement:
    """A member's statement for a month: balances from the balance table, rows = the month's entries that moved
    the money grouped as the detail labels them (the two must agree, else StatementMismatch).

    ``detail_limit`` caps the detail lines (default: what usually fits under the figure rows).
    """
    check_month(year, month)
    inputs = month_inputs(book=organization.book, year=year, month=month)
    gie_id = gie_id_get()
    figures = statement_figures(
        opening_movements=inputs.opening_movements,
        month_movements=inputs.month_movements,
        entries=inputs.entries,
        mapping=mapping,
        gie_id=gie_id,
    )
    if detail_limit is None:
        detail_limit = detail_limit_for(len(figures.shown_rows()), tamazight=organization.wants_tamazight)
    details = detail_lines(inputs.entries, mapping=mapping, gie_id=gie_id, limit=detail_limit)
    return Statement(
        organization=organization,
        year=year,
        month=month,
        figures=figures,
        details=details,
        portal_url=portal_url(slug=organization.slug, year=year, month=month),
    )


# --- rendering -----------------------------------------------------------------------------------------------------


def _amount(centimes: int, *, signed: bool) -> SafeString:
    return amount_html(from_centimes(centimes), signed=signed)


def _row_context(row: StatementRow, centimes: int, *, kind: str) -> dict[str, Any]:
    arrow = {"in": pictograms.ARROW_IN, "out": pictograms.ARROW_OUT, "balance": pictograms.COINS}
    return {
        "kind": kind,
        "arrow": arrow.get(kind, pictograms.EXCHANGE),
        "icon": pictograms.CATEGORY[row.icon] if kind not in {"balance"} else "",
        "label_fr": row.label_fr,
        "label_ar": row.label_ar,
        "label_zgh": row.label_zgh,
        "amount": _amount(centimes, signed=kind != "balance"),
    }


def _figure_kind(figure: RowFigure) -> str:
    return {Flow.IN: "in", Flow.OUT: "out"}.get(figure.row.flow, "other")


def _detail_context(line: DetailLine) -> dict[str, Any]:
    arrows = {
        DetailKind.IN: pictograms.ARROW_IN,
        DetailKind.OUT: pictograms.ARROW_OUT,
        DetailKind.TRANSFER: pictograms.EXCHANGE,
        DetailKind.REST: "",
    }
    if line.kind == DetailKind.REST:
        description = f"{wording.REST.fr} ({line.count})"
        category_ar = wording.REST.ar
    elif line.kind == DetailKind.TRANSFER:
        description, category_ar = line.description, wording.LEGEND_TRANSFER.ar
    else:
        description, category_ar = line.description, line.row.label_ar if line.row else ""
    return {
        "kind": line.kind.value,
        "day": format_day(line.posted_on) if line.posted_on else "",
        "arrow": arrows[line.kind],
        "description": description,
        "category_ar": category_ar,
        "count": line.count if line.kind == DetailKind.REST else None,
        "amount": _amount(line.centimes, signed=line.kind != DetailKind.TRANSFER),
    }


def statement_context(statement: Statement, *, printed_on: date) -> dict[str, Any]:
    """Everything the template prints, already formatted: the template holds no rule."""
    org, figures = statement.organization, statement.figures
    day = date(statement.year, statement.month, 1)
    shown = figures.shown_rows()
    rows = [
        _row_context(OPENING, figures.opening, kind="balance"),
        *(_row_context(f.row, f.centimes, kind=_figure_kind(f)) for f in shown),
        _row_context(CLOSING, figures.closing, kind="balance"),
    ]
    rows[-1]["is_closing"] = True
    compact, dense = is_compact(len(shown)), is_dense(len(shown))
    commune = org.commune
    return {
        "org": org,
        "commune_fr": commune.name_fr if commune else "",
        "commune_ar": commune.name_ar if commune else "",
        "tamazight": org.wants_tamazight,
        "period_fr": format_month(day, "fr").capitalize(),
        "period_ar_month": format_month(day, "ar").split(" ")[0],
        "year": str(statement.year),
        "rows": rows,
        "rows_class": " ".join(name for name, on in (("compact", compact), ("dense", dense)) if on),
        "received": _amount(figures.received, signed=True),
        "paid": _amount(-figures.paid_or_owed, signed=True),
        "details": [_detail_context(line) for line in statement.details],
        "w": wording,
        "arrow_in": pictograms.ARROW_IN,
        "arrow_out": pictograms.ARROW_OUT,
        "coins": pictograms.COINS,
        "legend": [
            (pictograms.ARROW_IN, wording.LEGEND_IN),
            (pictograms.ARROW_OUT, wording.LEGEND_OUT),
            (pictograms.COINS, wording.LEGEND_BALANCE),
            (pictograms.EXCHANGE, wording.LEGEND_TRANSFER),
        ],
        "qr": qr_svg(statement.portal_url),
        "portal_url": statement.portal_url,
        "printed_on": format_day(printed_on),
        "period_code": f"{statement.year:04d}-{statement.month:02d}",
    }


def statement_html(statement: Statement, *, printed_on: date) -> str:
    return render_to_string("statements/statement.html", statement_context(statement, printed_on=printed_on))


def statement_pdf(*, organization: Organization, year: int, month: int, printed_on: date) -> bytes:
    """One A4 page as PDF bytes; raises PdfRenderError if WeasyPrint warns.

    If the page overflows (long names, many rows), the detail is summarised in fewer lines until it fits.
    """
    statement = statement_build(organization=organization, year=year, month=month)
    limit = len(statement.details)
    while True:
        html = statement_html(statement, printed_on=printed_on)
        try:
            return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[BILINGUAL_CSS, STATEMENT_CSS], max_pages=1)
        except PageOverflow:
            if limit <= 1:
                raise
            limit -= 1
            statement = statement_build(organization=organization, year=year, month=month, detail_limit=limit)


# --- batches -------------------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def statement_batch_create(
    *, year: int, month: int, acting_user: Any, member_slug: str = "", organization_ids: Collection[int] | None = None
) -> StatementBatch:
    """A batch with one item per member to print (or the one member asked for, or those of ``organization_ids``:
    the books a month close closed); nothing is rendered yet."""
    check_month(year, month)
    members = list(statement_members(year=year, month=month, slug=member_slug))
    if organization_ids is not None:
        wanted = set(organization_ids)
        members = [member for member in members if member.pk in wanted]
    if not members:
        raise StatementError(_("Aucune coopérative à imprimer pour ce mois."))
    batch = StatementBatch.objects.create(
        year=year, month=month, member_slug=member_slug, created_by=acting_user if acting_user else None
    )
    StatementBatchItem.objects.bulk_create([StatementBatchItem(batch=batch, organization=org) for org in members])
    audit_record(
        actor=acting_user,
        event="statements.batch_created",
        target=batch,
        data={"period": batch.period, "members": len(members)},
    )
    return batch


def _batch_dir(batch: StatementBatch) -> str:
    return f"{STORAGE_DIR}/{batch.period}/batch-{batch.pk}"


def _store(name: str, content: bytes) -> str:
    """Write bytes under exactly this storage name (replacing a previous attempt's file)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def statement_batch_item_render(*, item_id: int, printed_on: date) -> str:
    """Render and store one item's PDF, mark it done, and bundle the batch after its last item. Safe to retry."""
    item = StatementBatchItem.objects.select_related("batch", "organization__book").get(pk=item_id)
    batch = item.batch
    if item.rendered_at is None or not default_storage.exists(item.file_name):
        try:
            pdf = statement_pdf(
                organization=item.organization, year=batch.year, month=batch.month, printed_on=printed_on
            )
        except Exception as error:
            StatementBatchItem.objects.filter(pk=item.pk).update(error=str(error)[:2000])
            StatementBatch.objects.filter(pk=batch.pk).update(
                status=StatementBatch.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
            )
            raise
        slug = item.organization.slug
        name = _store(f"{_batch_dir(batch)}/{statement_file_name(slug=slug, year=batch.year, month=batch.month)}", pdf)
        StatementBatchItem.objects.filter(pk=item.pk).update(file_name=name, rendered_at=timezone.now(), error="")
        item.file_name = name
    if not batch.items.filter(rendered_at__isnull=True).exists():
        statement_batch_bundle(batch_id=batch.pk)
    return item.file_name


def bundle_file_name(*, year: int, month: int) -> str:
    return f"bundle-{year:04d}-{month:02d}.pdf"


def statement_batch_bundle(*, batch_id: int) -> str:
    """Concatenate the batch's PDFs (by member slug) into one file for the printer, once: the caller that moves the
    batch from RUNNING to BUNDLING does it; the others return the existing name."""
    claimed = StatementBatch.objects.filter(pk=batch_id, status=StatementBatch.Status.RUNNING).update(
        status=StatementBatch.Status.BUNDLING
    )
    batch = StatementBatch.objects.get(pk=batch_id)
    if not claimed:
        return batch.bundle_name
    writer = PdfWriter()
    for name in batch.items.order_by("organization__slug").values_list("file_name", flat=True):
        with default_storage.open(name, "rb") as handle:
            writer.append(io.BytesIO(handle.read()))
    buffer = io.BytesIO()
    writer.write(buffer)
    name = _store(f"{_batch_dir(batch)}/{bundle_file_name(year=batch.year, month=batch.month)}", buffer.getvalue())
    StatementBatch.objects.filter(pk=batch_id).update(
        status=StatementBatch.Status.DONE, bundle_name=name, finished_at=timezone.now()
    )
    return name


def statement_batch_printed_on(batch: StatementBatch) -> date:
    """The date printed on every statement of the batch: the day it was launched (whoever renders it, whenever)."""
    return timezone.localdate(batch.created_at)


def statement_batch_item_claim(*, batch_id: int) -> int | None:
    """Claim the next item of the batch still to render (never claimed, or claimed longer than ITEM_LEASE ago) and
    return its id; None when there is none. A conditional update decides, so two renderers never get the same item.
    """
    now = timezone.now()
    pending = StatementBatchItem.objects.filter(batch_id=batch_id, rendered_at__isnull=True, error="").filter(
        Q(started_at__isnull=True) | Q(started_at__lt=now - ITEM_LEASE)
    )
    for item_id, started_at in pending.order_by("pk").values_list("pk", "started_at")[:20]:
        claimed = StatementBatchItem.objects.filter(pk=item_id, rendered_at__isnull=True, started_at=started_at)
        if claimed.update(started_at=now):
            return item_id
    return None


def statement_batch_advance(*, batch_id: int, budget_seconds: float = 1.0) -> int:
    """Render items of the batch in this process until the budget is spent (at least one item), and return how many
    were attempted. This is the worker of eager mode (no broker): the progress page calls it at each poll, so the
    request that launches a batch returns at once and the work goes on one slice at a time, resuming after a
    restart. A failed item keeps its error (shown on the page) and the others still render."""
    batch = StatementBatch.objects.get(pk=batch_id)
    printed_on = statement_batch_printed_on(batch)
    started, attempted = time.monotonic(), 0
    while attempted == 0 or time.monotonic() - started < budget_seconds:
        item_id = statement_batch_item_claim(batch_id=batch_id)
        if item_id is None:
            break
        attempted += 1
        try:
            statement_batch_item_render(item_id=item_id, printed_on=printed_on)
        except Exception:  # recorded on the item and the batch by the render itself
            logger.exception("statement batch %s: item %s failed", batch_id, item_id)
    return attempted


@dataclass(frozen=True, slots=True)
class BatchProgress:
    total: int
    done: int
    failed: int
    is_finished: bool  # nothing more will happen: the bundle is ready, or the batch failed and no item is pending

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


def statement_batch_progress(batch: StatementBatch) -> BatchProgress:
    """Done / failed / total items of the batch, in one query."""
    counts = batch.items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(rendered_at__isnull=False)),
        failed=Count("pk", filter=~Q(error="")),
    )
    total, done, failed = counts["total"], counts["done"], counts["failed"]
    status = batch.status
    is_finished = status == StatementBatch.Status.DONE or (
        status == StatementBatch.Status.FAILED and done + failed >= total
    )
    return BatchProgress(total=total, done=done, failed=failed, is_finished=is_finished)
