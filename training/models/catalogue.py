"""The catalogue: themes, courses (bilingual, with the VAT code of their fee), trainers and funders."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from invoices.services import STANDARD_CODE


class Theme(models.Model):
    """A family of courses (management, accounting, marketing, hygiene, literacy…)."""

    slug = models.SlugField(_("nom court"), max_length=60, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("thème de formation")
        verbose_name_plural = _("thèmes de formation")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name_fr


class Course(models.Model):
    """A course of the catalogue. Its fee is billed at ``vat_code`` (20 % by default, or an exemption the
    accountant sets); the amount per trainee is the session's."""

    theme = models.ForeignKey(Theme, verbose_name=_("thème"), on_delete=models.PROTECT, related_name="courses")
    slug = models.SlugField(_("nom court"), max_length=60, unique=True)
    title_fr = models.CharField(_("intitulé (français)"), max_length=160)
    title_ar = models.CharField(_("intitulé (arabe)"), max_length=160, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_ar = models.TextField(_("description (arabe)"), blank=True)
    objectives_fr = models.TextField(_("objectifs (français)"), blank=True)
    objectives_ar = models.TextField(_("objectifs (arabe)"), blank=True)
    duration_hours = models.DecimalField(
        _("durée (heures)"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    pictogram = models.CharField(_("pictogramme"), max_length=40, blank=True)
    vat_code = models.SlugField(_("code TVA des frais"), max_length=30, default=STANDARD_CODE)
    is_active = models.BooleanField(_("au catalogue"), default=True)

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["title_fr"]
        constraints = [models.CheckConstraint(condition=Q(duration_hours__gt=0), name="course_duration_positive")]

    def __str__(self) -> str:
        return self.title_fr


class Trainer(models.Model):
    """Who teaches: a GIE user with the trainer role (who then sees only their sessions), or an outside person
    known by a name and a phone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainer",
    )
    name = models.CharField(_("nom"), max_length=160, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("formateur")
        verbose_name_plural = _("formateurs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="trainer_user_or_name")
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        return str(self.user.get_full_name() or self.user.get_username()) if self.user else ""


class Funder(models.Model):
    """Who pays part of the fees: INDH, the Region, an NGO…"""

    slug = models.SlugField(_("nom court"), max_length=60, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=160)
    name_ar = models.CharField(_("nom (arabe)"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name_fr


class Grant(models.Model):
    """A funder's agreement (convention) the sessions it funds are reported under: the funder's report is per
    grant."""

    funder = models.ForeignKey(Funder, verbose_name=_("financeur"), on_delete=models.PROTECT, related_name="grants")
    reference = models.CharField(_("référence de la convention"), max_length=60)
    title_fr = models.CharField(_("intitulé (français)"), max_length=160)
    title_ar = models.CharField(_("intitulé (arabe)"), max_length=160, blank=True)
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))

    class Meta:
        verbose_name = _("convention de financement")
        verbose_name_plural = _("conventions de financement")
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["funder", "reference"], name="grant_reference_unique_per_funder"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="grant_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} · {self.reference}"
