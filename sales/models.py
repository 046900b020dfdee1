"""Collective sales in mandate mode: channels and events, members' products, consigned stock, till devices and
shifts, tickets synced from phones (each UUID stored once), their summaries in the books, settlements to members.

A ticket is the fact; everything the books hold is derived from tickets in bulk (``summaries``), never one entry
per ticket. Amounts are signed: a refund ticket carries negative lines and payments.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ledger import accounts

ZERO = Decimal("0.00")


def _money(verbose: Any, **kwargs: Any) -> Any:
    """A MAD amount column: 14 digits, 2 places."""
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Espèces")
    CARD = "card", _("Carte")
    MOBILE = "mobile", _("Paiement mobile")
    CHEQUE = "cheque", _("Chèque")


class CommissionBase(models.TextChoices):
    TTC = "ttc", _("Montant TTC des tickets")
    HT = "ht", _("Montant HT des tickets")


class Channel(models.Model):
    """A way the GIE sells its members' goods: a fair or salon, the shared shop, B2B orders."""

    class Kind(models.TextChoices):
        FAIR = "fair", _("Foire ou salon")
        SHOP = "shop", _("Boutique partagée")
        B2B = "b2b", _("Commandes professionnelles")

    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.FAIR)
    slug = models.SlugField(_("nom court"), max_length=60, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)
    commission_rate = models.DecimalField(
        _("taux de commission"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("0.1000 pour 10 %"),
    )
    commission_base = models.CharField(
        _("assiette de la commission"), max_length=3, choices=CommissionBase.choices, default=CommissionBase.TTC
    )
    cash_account = models.CharField(_("compte espèces"), max_length=10, default=accounts.CASH)
    card_account = models.CharField(_("compte carte"), max_length=10, default=accounts.FUND_TRANSFERS)
    mobile_account = models.CharField(_("compte paiement mobile"), max_length=10, default=accounts.FUND_TRANSFERS)
    cheque_account = models.CharField(_("compte chèques"), max_length=10, default=accounts.CHEQUES_TO_CASH)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("canal de vente")
        verbose_name_plural = _("canaux de vente")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name_fr

    def account_for(self, method: str) -> str:
        """The GIE's account a payment method lands in (cash 5161; card and mobile a clearing account; cheques 5111)."""
        return str(getattr(self, f"{PaymentMethod(method).value}_account"))


class Event(models.Model):
    """A fair, a salon, or the shop's permanent till: dates, place, participating members, sellers."""

    class State(models.TextChoices):
        PLANNED = "planned", _("En préparation")
        OPEN = "open", _("Ouvert à la vente")
        CLOSED = "closed", _("Clos")

    channel = models.ForeignKey(Channel, verbose_name=_("canal"), on_delete=models.PROTECT, related_name="events")
    slug = models.SlugField(_("nom court"), max_length=60, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=160)
    name_ar = models.CharField(_("nom (arabe)"), max_length=160, blank=True)
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"), null=True, blank=True, help_text=_("vide pour la boutique permanente"))
    commune = models.ForeignKey(
        "members.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    commission_rate = models.DecimalField(
        _("taux de commission"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("vide : le taux du canal"),
    )
    state = models.CharField(_("état"), max_length=8, choices=State.choices, default=State.PLANNED)
    members = models.ManyToManyField(
        "members.Organization", through="Participation", related_name="sales_events", verbose_name=_("membres")
    )
    sellers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sales_events", verbose_name=_("vendeurs")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("événement de vente")
        verbose_name_plural = _("événements de vente")
        ordering = ["-starts_on", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="event_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def rate(self) -> Decimal:
        return self.commission_rate if self.commission_rate is not None else self.channel.commission_rate


class Participation(models.Model):
    """A member taking part in an event, with its stand."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(
        "members.Organization", verbose_name=_("membre"), on_delete=models.PROTECT, related_name="+"
    )
    stand = models.CharField(_("stand"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["event", "stand"]
        constraints = [models.UniqueConstraint(fields=["event", "organization"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.event} · {self.organization} {self.stand}".strip()


class SalesTerms(models.Model):
    """What a member agreed for its settlements: whether the GIE may net other open invoices against its takings."""

    organization = models.OneToOneField("members.Organization", on_delete=models.CASCADE, related_name="sales_terms")
    offset_other_invoices = models.BooleanField(
        _("compenser les autres factures ouvertes"),
        default=False,
        help_text=_("accord écrit du membre : le GIE retient ses autres factures impayées sur le net à verser"),
    )

    class Meta:
        verbose_name = _("conditions de vente du membre")
        verbose_name_plural = _("conditions de vente des membres")

    def __str__(self) -> str:
        return str(self.organization)


class Product(models.Model):
    """A member's product in the catalogue, sold at a price VAT included (TTC)."""

    class Unit(models.TextChoices):
        PIECE = "piece", _("pièce")
        KG = "kg", _("kg")
        LITRE = "l", _("litre")
        BOX = "box", _("boîte")
        POT = "pot", _("pot")

    organization = models.ForeignKey(
        "members.Organization", verbose_name=_("membre"), on_delete=models.PROTECT, related_name="products"
    )
    code = models.SlugField(_("code"), max_length=30)
    scan_code = models.CharField(_("code à scanner"), max_length=13, unique=True, editable=False)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)
    photo = models.ImageField(_("photo"), upload_to="sales/products/", null=True, blank=True)
    pictogram = models.CharField(_("pictogramme"), max_length=30, blank=True)
    unit = models.CharField(_("unité"), max_length=8, choices=Unit.choices, default=Unit.PIECE)
    price = _money(_("prix TTC"), validators=[MinValueValidator(Decimal("0.01"))])
    vat_code = models.SlugField(_("TVA"), max_length=30, default="exonere-91")
    is_active = models.BooleanField(_("en vente"), default=True)

    class Meta:
        verbose_name = _("produit")
        verbose_name_plural = _("produits")
        ordering = ["organization", "code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="product_code_unique_per_member")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_fr}"


class Deposit(models.Model):
    """Stock a member consigns for an event, per product: deposited, returned at the end, and the accountant's
    decision on any difference with what the tickets sold."""

    class Decision(models.TextChoices):
        PENDING = "", _("À décider")
        MEMBER = "member", _("À la charge du membre")
        GIE = "gie", _("Payé par le GIE au prix du ticket")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deposits")
    organization = models.ForeignKey(
        "members.Organization", verbose_name=_("membre"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(Product, verbose_name=_("produit"), on_delete=models.PROTECT, related_name="deposits")
    deposited = models.DecimalField(_("déposé"), max_digits=12, decimal_places=3, default=Decimal(0))
    returned = models.DecimalField(_("repris"), max_digits=12, decimal_places=3, null=True, blank=True)
    deposited_on = models.DateField(_("déposé le"), null=True, blank=True)
    returned_on = models.DateField(_("repris le"), null=True, blank=True)
    decision = models.CharField(_("décision"), max_length=8, choices=Decision.choices, blank=True, default="")
    decided_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    decided_amount = _money(_("montant pris en charge"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dépôt en consignation")
        verbose_name_plural = _("dépôts en consignation")
        ordering = ["event", "organization", "product"]
        constraints = [models.UniqueConstraint(fields=["event", "product"], name="deposit_unique_per_event_product")]

    def __str__(self) -> str:
        return f"{self.event} · {self.product}"


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
    opening_float = _money(_("fonds de caisse"), default=ZERO)
    closed_at = models.DateTimeField(_("fermée le"), null=True, blank=True)
    counted_cash = _money(_("espèces comptées"), null=True, blank=True)
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
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.TILL)
    paper_id = models.CharField(max_length=60, blank=True)
    sold_at = models.DateTimeField(_("vendu le"))
    sold_on = models.DateField(_("jour"))
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds", db_index=False
    )
    total = _money(_("total TTC"))
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    summary_run = models.ForeignKey(
        "SummaryRun", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", db_index=False
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
            models.Index(fields=["event"], condition=Q(summary_run__isnull=True), name="ticket_unsummarized"),
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
    unit_price = _money(_("prix unitaire TTC"))
    amount = _money(_("montant TTC"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0))
    vat = _money(_("TVA"), default=ZERO)

    class Meta:
        verbose_name = _("ligne de ticket")
        verbose_name_plural = _("lignes de ticket")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.unit_price}"


class TicketPayment(models.Model):
    """How a ticket was paid (split payments allowed); cash keeps what was tendered and the change given."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    amount = _money(_("montant"))
    tendered = _money(_("remis"), null=True, blank=True)

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
    amount = _money(_("montant"))

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
    amount = _money(_("montant TTC"))
    vat = _money(_("TVA"), default=ZERO)
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
    takings = _money(_("ventes TTC"))
    takings_vat = _money(_("TVA sur les ventes"), default=ZERO)
    commission_base = _money(_("assiette de la commission"))
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    commission = models.ForeignKey(
        "invoices.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offsets = _money(_("compensations"), default=ZERO)
    offset_payment = models.ForeignKey(
        "invoices.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    net_paid = _money(_("net versé"))
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
