"""Invoicing reference data. VAT rates are data with validity dates (they change with each finance law)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VatRate(models.Model):
    """A VAT rate or exemption, valid between two dates, with its legal reference (printed on invoices)."""

    class Kind(models.TextChoices):
        TAXABLE = "taxable", _("Taxable")
        EXEMPT = "exempt", _("Exonéré sans droit à déduction (CGI art. 91)")
        EXEMPT_WITH_DEDUCTION = "exempt_deduction", _("Exonéré avec droit à déduction (CGI art. 92)")
        SUSPENDED = "suspended", _("En suspension (CGI art. 94)")

    code = models.SlugField(_("code"), max_length=30)
    label_fr = models.CharField(_("libellé (français)"), max_length=120)
    label_ar = models.CharField(_("libellé (arabe)"), max_length=120)
    kind = models.CharField(_("régime"), max_length=20, choices=Kind.choices, default=Kind.TAXABLE)
    rate = models.DecimalField(_("taux"), max_digits=5, decimal_places=4, help_text=_("0.2000 pour 20 %"))
    legal_reference = models.CharField(_("référence légale"), max_length=200, blank=True)
    valid_from = models.DateField(_("valable du"))
    valid_to = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("taux de TVA")
        verbose_name_plural = _("taux de TVA")
        ordering = ["-rate", "code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="vat_rate_unique_per_start"),
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=1), name="vat_rate_is_a_fraction"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="vat_rate_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label_fr} ({self.rate:.2%})"
