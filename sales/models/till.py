"""The till: devices, shifts, and tickets synced from phones (each UUID stored once, never edited)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sales.models.catalogue import Product
from sales.models.events import Event
from sales.models.money import ZERO, PaymentMethod, money_field


class Device(models.Model):
    """A phone registered as a till. The API authenticates it by its id and a secret whose hash only is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("nom"), max_length=80, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("vendeur"), on_delete=models.PROTECT, related_name="sales_devices"
    )
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_sequence = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("caisse (téléphone)")
        verbose_name_plural = _("caisses (téléphones)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or str(self.id)[:8]


class Shift(models.Model):
    """A seller's session at a till: opened with a cash float, closed with the counted cash (the Z report)."""

    id = models.UUIDField(primary_key=True, editable=False)  # chosen by the phone, so it can open offline
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="shifts")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="shifts")
    opened_at = models.DateTimeField(_("ouverte le"))
    opening_float = money_field(_("fonds de caisse"), default=ZERO)
    closed_at = models.DateTimeField(_("fermée le"), null=True, blank=True)
    counted_cash = money_field(_("espèces comptées"), null=True, blank=True)
    device_totals = models.JSONField(_("totaux du téléphone"), default=dict, blank=True)
    device_ticket_count = models.PositiveIntegerField(null=True, blank=True)
    closed_offline = models.BooleanField(_("fermée hors ligne"), default=False)
    z_number = models.PositiveIntegerField(_("numéro du Z"), null=True, blank=True)

    class Meta:
        verbose_name = _("session de caisse")
        verbose_name_plural = _("sessions de caisse")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.event} {self.opened_at:%Y-%m-%d %H:%M}"


class Ticket(models.Model):
    """A paid sale (or a refund) rung at a till or copied from a paper tally. Stored once per UUID; never edited.

    ``digest`` is the hash of its content as first received: the same UUID sent again with the same digest is
    acknowledged, with another digest it is a reported conflict. ``summary_run`` is set when its amounts reach the
    books (``summaries``); a ticket synced after its day was summarized is picked up by the next run.
    """

    class Source(models.TextChoices):
        TILL = "till", _("Caisse")
        PAPER = "paper", _("Feuille papier")

    id = models.UUIDField(primary_key=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    sequence = models.PositiveIntegerField(null=True, blank=True)
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    #: the shift the phone named; ``shift`` is set from it once that shift has reached the server
    shift_key = models.UUIDField(null=True, blank=True, editable=False)
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.TILL)
    paper_id = models.CharField(max_length=60, blank=True)
    sold_at = models.DateTimeField(_("vendu le"))
    sold_on = models.DateField(_("jour"))
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds", db_index=False
    )
    total = money_field(_("total TTC"))
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    #: no database constraint nor index: claiming a day's tickets then updates no indexed column, so PostgreSQL
    #: rewrites each row in place (a HOT update; the table keeps free room on each page: migration 0002)
    summary_run = models.ForeignKey(
        "SummaryRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["sold_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "sequence"], condition=Q(device__isnull=False), name="ticket_device_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["event", "paper_id"], condition=~Q(paper_id=""), name="ticket_paper_id_unique_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "sold_on"], name="ticket_event_day"),
        ]

    def __str__(self) -> str:
        return f"{self.event.slug} {self.sold_at:%Y-%m-%d %H:%M} {self.total}"


class TicketLine(models.Model):
    """One product sold (negative quantity on a refund), its amount TTC and the VAT inside it (per line, so that
    any grouping of lines sums exactly)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="lines")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = money_field(_("prix unitaire TTC"))
    amount = money_field(_("montant TTC"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0))
    vat = money_field(_("TVA"), default=ZERO)

    class Meta:
        verbose_name = _("ligne de ticket")
        verbose_name_plural = _("lignes de ticket")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.unit_price}"


class TicketPayment(models.Model):
    """How a ticket was paid (split payments allowed); cash keeps what was tendered and the change given."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    amount = money_field(_("montant"))
    tendered = money_field(_("remis"), null=True, blank=True)

    class Meta:
        verbose_name = _("paiement de ticket")
        verbose_name_plural = _("paiements de ticket")

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class TicketShare(models.Model):
    """A ticket's money per (member, payment method), split at ingest by largest remainder so that both margins
    hold to the centime: per member it sums to its lines, per method to its payments. Summaries group these."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="shares")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    amount = money_field(_("montant"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "organization", "method"], name="ticket_share_unique")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.organization_id} {self.method} {self.amount}"


class SyncConflict(models.Model):
    """A ticket UUID received again with other content: kept for the accountant, never applied."""

    ticket_id = models.UUIDField()
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField()
    reason = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflit de synchronisation")
        verbose_name_plural = _("conflits de synchronisation")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.reason}"
