"""Channels and events: where the GIE sells its members' goods, who takes part, and what each member agreed."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ledger import accounts
from sales.models.money import CommissionBase, PaymentMethod


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
