"""What reaches the books: summary runs, the summaries they posted, and settlements to members."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sales.models.events import Event
from sales.models.money import ZERO, PaymentMethod, money_field


class SummaryRun(models.Model):
    """One pass of ``summaries.summarize`` over an event: the tickets it took and the entries it posted."""

    class State(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échoué")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="summary_runs")
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ticket_count = models.PositiveIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    days_total = models.PositiveIntegerField(default=0)
    days_done = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.started_at:%Y-%m-%d %H:%M} {self.state}"


class Summary(models.Model):
    """What one run posted for (event, day, member, method): the GIE's entry (method account / 4463·member) and
    its part of the member's entry. ``part`` counts complements: 0 the first summary, 1… later tickets."""

    run = models.ForeignKey(SummaryRun, on_delete=models.PROTECT, related_name="summaries")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="summaries", db_index=False)
    day = models.DateField()
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    part = models.PositiveSmallIntegerField(default=0)
    posted_on = models.DateField()
    amount = money_field(_("montant TTC"))
    vat = money_field(_("TVA"), default=ZERO)
    settlement = models.ForeignKey(
        "Settlement", null=True, blank=True, on_delete=models.PROTECT, related_name="summaries"
    )

    class Meta:
        verbose_name = _("récapitulatif de ventes")
        verbose_name_plural = _("récapitulatifs de ventes")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "day", "organization", "method", "part"], name="summary_unique_part"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.day} {self.organization_id} {self.method} #{self.part}: {self.amount}"


class Settlement(models.Model):
    """What the GIE owes one member for one event (up to a date): takings, the commission invoiced, what it nets
    against open invoices, and the net paid. One per (event, member, date)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="settlements")
    organization = models.ForeignKey(
        "members.Organization", verbose_name=_("membre"), on_delete=models.PROTECT, related_name="+"
    )
    settled_on = models.DateField(_("réglé le"))
    takings = money_field(_("ventes TTC"))
    takings_vat = money_field(_("TVA sur les ventes"), default=ZERO)
    commission_base = money_field(_("assiette de la commission"))
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    commission = models.ForeignKey(
        "invoices.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    differences = money_field(_("écarts de consignation payés par le GIE"), default=ZERO)
    offsets = money_field(_("compensations"), default=ZERO)
    offset_payment = models.ForeignKey(
        "invoices.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    net_paid = money_field(_("net versé"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("règlement au membre")
        verbose_name_plural = _("règlements aux membres")
        ordering = ["-settled_on", "event", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization", "settled_on"], name="settlement_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.organization} {self.settled_on}"

    @property
    def commission_netted(self) -> Decimal:
        """The part of the commission invoice this settlement withheld: what was owed (takings and GIE-paid
        differences) less the other invoices netted and the net paid."""
        return self.takings + self.differences - self.offsets - self.net_paid
