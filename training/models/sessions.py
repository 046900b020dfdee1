"""Sessions of a course: dates and half-days, place, trainer, capacity and deadline, fee, funders and their share."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from training.models.catalogue import Course, Funder, Grant, Trainer


class Session(models.Model):
    """One run of a course. Enrolments beyond ``capacity`` wait on a list; the fee per trainee (HT) is billed to
    each member for its trainees, net of the funders' shares, once the session is over (``billed_on``)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("En préparation")
        OPEN = "open", _("Inscriptions ouvertes")
        CLOSED = "closed", _("Terminée")
        CANCELLED = "cancelled", _("Annulée")

    class Language(models.TextChoices):
        ARABIC = "ar", _("Arabe (darija)")
        FRENCH = "fr", _("Français")
        TAMAZIGHT = "zgh", _("Tamazight")

    course = models.ForeignKey(Course, verbose_name=_("formation"), on_delete=models.PROTECT, related_name="sessions")
    slug = models.SlugField(_("nom court"), max_length=60, unique=True)
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    commune = models.ForeignKey(
        "members.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    trainer = models.ForeignKey(
        Trainer,
        verbose_name=_("formateur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    enrolment_deadline = models.DateField(
        _("date limite d'inscription"), help_text=_("Une annulation après cette date est facturée.")
    )
    fee_per_trainee = models.DecimalField(
        _("frais par stagiaire (HT)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    language = models.CharField(_("langue"), max_length=3, choices=Language.choices, default=Language.ARABIC)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PLANNED)
    completion_rate = models.DecimalField(
        _("assiduité minimale"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.8000"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("0.8000 = 80 % : part des demi-journées où le stagiaire doit être présent pour l'attestation"),
    )
    billed_on = models.DateField(_("facturée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session de formation")
        verbose_name_plural = _("sessions de formation")
        ordering = ["-starts_on", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(enrolment_deadline__lte=F("ends_on")), name="session_deadline_in_time"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(condition=Q(fee_per_trainee__gte=0), name="session_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(completion_rate__gte=0, completion_rate__lte=1), name="session_completion_is_a_fraction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.starts_on:%d/%m/%Y})"


class HalfDay(models.Model):
    """A morning or an afternoon of a session: the unit attendance is taken on."""

    class Part(models.TextChoices):
        MORNING = "am", _("Matin")
        AFTERNOON = "pm", _("Après-midi")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="half_days")
    day = models.DateField(_("jour"))
    part = models.CharField(_("demi-journée"), max_length=2, choices=Part.choices)

    class Meta:
        verbose_name = _("demi-journée")
        verbose_name_plural = _("demi-journées")
        ordering = ["session", "day", "part"]
        constraints = [models.UniqueConstraint(fields=["session", "day", "part"], name="half_day_unique")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_part_display()}"


class SessionFunder(models.Model):
    """A funder's share of a session's fee per trainee: a rate of the fee HT or an amount, each capped at the fee.
    It pays for the trainees who attended (the default) or for every trainee billed."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Pourcentage des frais")
        AMOUNT = "amount_per_trainee", _("Montant par stagiaire")

    class Basis(models.TextChoices):
        ENROLLED = "enrolled", _("Stagiaires inscrits")
        ATTENDED = "attended", _("Stagiaires présents")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="funders")
    funder = models.ForeignKey(Funder, verbose_name=_("financeur"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type de part"), max_length=20, choices=Kind.choices, default=Kind.PERCENT)
    rate = models.DecimalField(
        _("taux"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("0.4000 pour 40 %"),
    )
    amount = models.DecimalField(
        _("montant par stagiaire"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    basis = models.CharField(_("paie pour"), max_length=10, choices=Basis.choices, default=Basis.ATTENDED)
    grant = models.ForeignKey(
        Grant,
        verbose_name=_("convention"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="session_funders",
    )

    class Meta:
        verbose_name = _("financement de session")
        verbose_name_plural = _("financements de session")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "funder"], name="session_funder_unique"),
            models.CheckConstraint(
                condition=(
                    Q(kind="percent", rate__isnull=False, rate__gte=0, rate__lte=1, amount__isnull=True)
                    | Q(kind="amount_per_trainee", amount__isnull=False, amount__gte=0, rate__isnull=True)
                ),
                name="session_funder_rate_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} · {self.session}"
