"""Members' products and the stock they consign for an event."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sales.models.events import Event
from sales.models.money import money_field


class Product(models.Model):
    """A member's product in the catalogue, sold at a price VAT included (TTC)."""

    class Unit(models.TextChoices):
        PIECE = "piece", pgettext_lazy("unité", "pièce")
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
    price = money_field(_("prix TTC"), validators=[MinValueValidator(Decimal("0.01"))])
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
    decided_amount = money_field(_("montant pris en charge"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(_("décidé le"), null=True, blank=True)  # the date the GIE-paid entries carry
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the settlement that paid a difference the GIE took on (decision "gie"), so it is paid once
    settlement = models.ForeignKey(
        "Settlement", null=True, blank=True, on_delete=models.PROTECT, related_name="paid_differences"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dépôt en consignation")
        verbose_name_plural = _("dépôts en consignation")
        ordering = ["event", "organization", "product"]
        constraints = [models.UniqueConstraint(fields=["event", "product"], name="deposit_unique_per_event_product")]

    def __str__(self) -> str:
        return f"{self.event} · {self.product}"
