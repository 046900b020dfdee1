"""A close of every book for a month (or a year): one run, one item per book with its status and blockers.

A run is unique per (kind, year, month): launching it again resumes it (pending items go on, blocked and failed
ones are checked again, closed ones stay closed). An item is processed in one transaction (checks, VAT liquidation,
lock — for the year, the closing and opening entries too —
status), so a worker killed in the middle leaves the book as it was and the item pending.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CloseRun(models.Model):
    class Kind(models.TextChoices):
        MONTH = "month", _("Clôture mensuelle")
        YEAR = "year", _("Clôture annuelle")

    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices, default=Kind.MONTH)
    year = models.SmallIntegerField(_("année"))
    month = models.SmallIntegerField(_("mois"))  # 12 for a year close
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # the last launch (a resume sets it again)
    finished_at = models.DateTimeField(null=True, blank=True)  # every item processed (closed, blocked or failed)
    statement_batch = models.ForeignKey(
        "statements.StatementBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("clôture")
        verbose_name_plural = _("clôtures")
        ordering = ["-year", "-month", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year", "month"], name="close_run_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}"

    @property
    def period(self) -> str:
        return f"{self.year:04d}" if self.kind == self.Kind.YEAR else f"{self.year:04d}-{self.month:02d}"


class CloseItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("À traiter")
        CLOSED = "closed", _("Clôturé")
        BLOCKED = "blocked", _("Bloqué")
        FAILED = "failed", _("Erreur")
        REOPENED = "reopened", _("Rouvert")

    run = models.ForeignKey(CloseRun, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey("ledger.Book", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.PENDING)
    blockers = models.JSONField(_("motifs"), default=list, blank=True)  # [{code, params}] (gie_erp.core.closing)
    liquidation = models.CharField(_("liquidation de TVA"), max_length=25, blank=True)  # the entry's number
    closing = models.CharField(_("écritures de clôture"), max_length=120, blank=True)  # the year close's numbers
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("clôture d'un livre")
        verbose_name_plural = _("clôtures des livres")
        ordering = ["run", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "book"], name="close_item_unique_per_run")]
        indexes = [models.Index(fields=["run", "status"], name="close_item_run_status")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.book_id} {self.status}"
