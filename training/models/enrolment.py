"""Enrolments of cooperators in sessions (seated or waiting), attendance per half-day, certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training.models.sessions import HalfDay, Session


class Enrolment(models.Model):
    """A cooperator in a session, for its cooperative (``organization`` is denormalised: it scopes what a
    representative sees and who is billed). A cooperator holds one live enrolment per session; a cancelled one
    stays (a late cancellation is billed)."""

    class State(models.TextChoices):
        ENROLLED = "enrolled", _("Inscrit")
        WAITLISTED = "waitlisted", _("En liste d'attente")
        CANCELLED = "cancelled", _("Annulé")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments")
    cooperator = models.ForeignKey(
        "members.Cooperator", verbose_name=_("coopérateur"), on_delete=models.PROTECT, related_name="enrolments"
    )
    organization = models.ForeignKey(
        "members.Organization", verbose_name=_("coopérative"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.ENROLLED)
    waitlist_position = models.PositiveIntegerField(_("rang en liste d'attente"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("inscrit le"))
    promoted_at = models.DateTimeField(_("passé de la liste d'attente le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_late = models.BooleanField(_("annulé après la date limite"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["session", "state", "waitlist_position", "pk"]
        indexes = [
            models.Index(fields=["session", "state"]),
            models.Index(fields=["organization", "session"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "cooperator"],
                condition=Q(state__in=["enrolled", "waitlisted"]),
                name="enrolment_one_live_per_cooperator",
            ),
            models.UniqueConstraint(
                fields=["session", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="enrolment_waitlist_position_unique",
            ),
            models.CheckConstraint(
                condition=Q(state="waitlisted", waitlist_position__isnull=False)
                | (~Q(state="waitlisted") & Q(waitlist_position__isnull=True)),
                name="enrolment_position_only_when_waiting",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_late=False) | Q(state="cancelled"), name="enrolment_late_only_when_cancelled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperator} · {self.session}"


class Attendance(models.Model):
    """Whether a trainee was there for one half-day (recorded again: the last record wins)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendances")
    half_day = models.ForeignKey(HalfDay, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField(_("présent"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("saisi le"))

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [models.UniqueConstraint(fields=["enrolment", "half_day"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.half_day}: {'1' if self.present else '0'}"


class Certificate(models.Model):
    """A certificate of attendance. ``token`` is the public verification code (192 random bits, URL-safe)."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    token = models.CharField(max_length=64, unique=True)
    issued_on = models.DateField(_("délivrée le"))

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-issued_on", "pk"]

    def __str__(self) -> str:
        return f"{self.enrolment} ({self.issued_on:%d/%m/%Y})"
