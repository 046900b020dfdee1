"""What billing a session produced: one invoice per member (through ``invoices``) and the subsidy each funder
owes, recognised in the GIE's book (34512 / 7161)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from training.models.catalogue import Funder, Grant
from training.models.sessions import Session


class TrainingInvoice(models.Model):
    """The document billing one member for its trainees of one session (one per member and session)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="invoices")
    organization = models.ForeignKey(
        "members.Organization", verbose_name=_("coopérative"), on_delete=models.PROTECT, related_name="+"
    )
    document = models.OneToOneField(
        "invoices.Document", verbose_name=_("facture"), on_delete=models.PROTECT, related_name="training"
    )
    trainees = models.PositiveSmallIntegerField(_("stagiaires facturés"))

    class Meta:
        verbose_name = _("facture de formation")
        verbose_name_plural = _("factures de formation")
        ordering = ["session", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["session", "organization"], name="training_invoice_one_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.organization}"


class Subsidy(models.Model):
    """What a funder owes the GIE for one session, recognised when the session is billed."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="subsidies")
    funder = models.ForeignKey(Funder, verbose_name=_("financeur"), on_delete=models.PROTECT, related_name="subsidies")
    trainees = models.PositiveSmallIntegerField(_("stagiaires financés"))
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    earned_on = models.DateField(_("acquise le"))

    class Meta:
        verbose_name = _("subvention de formation")
        verbose_name_plural = _("subventions de formation")
        ordering = ["session", "funder"]
        constraints = [
            models.UniqueConstraint(fields=["session", "funder"], name="subsidy_one_per_funder"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidy_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} · {self.session}: {self.amount}"


class SubsidyPayment(models.Model):
    """Money a funder paid the GIE for the subsidies it owes: GIE Dr 5141 (or 5161) / Cr 34512."""

    class Method(models.TextChoices):
        BANK = "bank", _("Virement ou chèque (banque)")
        CASH = "cash", _("Espèces (caisse)")

    funder = models.ForeignKey(Funder, verbose_name=_("financeur"), on_delete=models.PROTECT, related_name="payments")
    grant = models.ForeignKey(
        Grant, verbose_name=_("convention"), null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("reçu le"))
    method = models.CharField(_("moyen"), max_length=10, choices=Method.choices, default=Method.BANK)
    reference = models.CharField(_("référence"), max_length=80, blank=True)
    entry_id = models.UUIDField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("versement d'un financeur")
        verbose_name_plural = _("versements des financeurs")
        ordering = ["-received_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidy_payment_positive")]

    def __str__(self) -> str:
        return f"{self.funder} · {self.received_on}: {self.amount}"
