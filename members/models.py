"""The GIE, its member cooperatives, their cooperators, allocation-key data, and the people who log in."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gie_erp.core.roles import Role
from members.legal_ids import validate_ice


class Province(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=100)
    name_ar = models.CharField(_("nom (arabe)"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name_fr


class Commune(models.Model):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    name_fr = models.CharField(_("nom (français)"), max_length=100)
    name_ar = models.CharField(_("nom (arabe)"), max_length=100)
    is_rural = models.BooleanField(_("rurale"), default=True)
    # the HCP code (01.511.01.01: région.province.cercle.commune), the key of the map and the census figures; blank
    # where members/data/communes.csv has no official commune for the name
    code = models.CharField(_("code officiel (HCP)"), max_length=12, blank=True, default="")
    population_2014 = models.PositiveIntegerField(_("population (RGPH 2014)"), null=True, blank=True)
    population_2024 = models.PositiveIntegerField(_("population (RGPH 2024)"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name_fr"], name="commune_unique_per_province"),
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="commune_code_unique_when_set"),
        ]

    def __str__(self) -> str:
        return self.name_fr


#: slugs that would shadow a page under /members/<slug>/ or /books/<slug>/
RESERVED_SLUGS = frozenset({"import", "cooperators", "trial-balance", "opening-import", "new", "all", "accounts"})


def validate_slug_not_reserved(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value in RESERVED_SLUGS:
        raise ValidationError(_("Ce nom court est réservé : %(value)s."), params={"value": value})


class Organization(models.Model):
    """One set of books: the GIE itself or a member cooperative (the *tenant* of every member-owned row)."""

    class Kind(models.TextChoices):
        GIE = "gie", _("GIE")
        COOPERATIVE = "cooperative", _("Coopérative membre")

    class VatStatus(models.TextChoices):
        EXEMPT = "exempt", _("Exonérée")
        REGISTERED = "registered", _("Assujettie")

    class Sector(models.TextChoices):
        AGRICULTURE = "agriculture", _("Agriculture")
        ARGAN_OLIVE = "argan_olive", _("Huiles (argan, olive)")
        BEEKEEPING = "beekeeping", _("Apiculture")
        FOOD = "food", _("Agroalimentaire (couscous, pâtes, pain)")
        DAIRY = "dairy", _("Élevage et produits laitiers")
        HANDICRAFT = "handicraft", _("Artisanat (tissage, poterie)")
        AROMATIC = "aromatic", _("Plantes aromatiques et médicinales")
        FISHING = "fishing", _("Pêche")
        SERVICES = "services", _("Services")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.COOPERATIVE)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_slug_not_reserved])
    legal_name_fr = models.CharField(_("raison sociale (français)"), max_length=200)
    legal_name_ar = models.CharField(_("raison sociale (arabe)"), max_length=200)
    ice = models.CharField(_("ICE"), max_length=15, unique=True, validators=[validate_ice])
    if_number = models.CharField(_("identifiant fiscal (IF)"), max_length=20, blank=True)
    rc_number = models.CharField(_("registre du commerce (RC)"), max_length=30, blank=True)
    tp_number = models.CharField(_("taxe professionnelle"), max_length=20, blank=True)
    odco_number = models.CharField(_("n° ODCO"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vat_status = models.CharField(_("TVA"), max_length=16, choices=VatStatus.choices, default=VatStatus.EXEMPT)
    vat_legal_reference = models.CharField(
        _("référence légale TVA"), max_length=200, blank=True, help_text=_("Ex. : CGI art. 91-IV-1 (coopératives)")
    )
    sector = models.CharField(_("secteur"), max_length=20, choices=Sector.choices, default=Sector.AGRICULTURE)
    is_women_cooperative = models.BooleanField(_("coopérative féminine"), default=False)
    joined_on = models.DateField(_("date d'adhésion"), null=True, blank=True)
    left_on = models.DateField(_("date de sortie"), null=True, blank=True)
    capital_share = models.DecimalField(
        _("part du capital du GIE"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    wants_tamazight = models.BooleanField(_("relevés avec libellés en tamazight"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "legal_name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind="gie"), name="organization_single_gie"),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(joined_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="organization_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name_fr

    @property
    def is_gie(self) -> bool:
        return self.kind == self.Kind.GIE


class Cooperator(models.Model):
    """A person (or legal person) who is a member of a cooperative."""

    class Gender(models.TextChoices):
        FEMALE = "f", _("Femme")
        MALE = "m", _("Homme")

    class Function(models.TextChoices):
        PRESIDENT = "president", _("Président(e)")
        VICE_PRESIDENT = "vice_president", _("Vice-président(e)")
        TREASURER = "treasurer", _("Trésorier(ère)")
        SECRETARY = "secretary", _("Secrétaire")
        MEMBER = "member", _("Adhérent(e)")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cooperators")
    first_name_fr = models.CharField(_("prénom (français)"), max_length=100)
    last_name_fr = models.CharField(_("nom (français)"), max_length=100)
    full_name_ar = models.CharField(_("nom complet (arabe)"), max_length=200, blank=True)
    gender = models.CharField(_("sexe"), max_length=1, choices=Gender.choices)
    function = models.CharField(_("fonction"), max_length=20, choices=Function.choices, default=Function.MEMBER)
    cin = models.CharField(
        _("CIN"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{1,2}[0-9]{1,8}$", _("CIN : 1 ou 2 lettres puis des chiffres."))],
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    joined_on = models.DateField(_("date d'adhésion"), null=True, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    # personal data (law 09-08): the year alone is enough for age bands; consent to keep and use it, with its date;
    # erasure on request blanks what names the person and keeps what counts (gender) for the figures already given
    birth_year = models.PositiveSmallIntegerField(
        _("année de naissance"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    data_consent = models.BooleanField(_("consentement aux données personnelles"), default=False)
    data_consent_on = models.DateField(_("consentement donné le"), null=True, blank=True)
    erased_on = models.DateField(_("données effacées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("coopérateur")
        verbose_name_plural = _("coopérateurs")
        ordering = ["organization", "last_name_fr", "first_name_fr"]
        indexes = [models.Index(fields=["organization", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cin"], condition=~models.Q(cin=""), name="cooperator_cin_unique_per_coop"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name_fr} {self.last_name_fr}"


class AllocationKey(models.TextChoices):
    """What a cost pool may be split by (the data for the non-equal keys is kept per member and period)."""

    EQUAL = "equal", _("À parts égales")
    COOPERATORS = "cooperators", _("Nombre de coopérateurs")
    CAPITAL = "capital", _("Part du capital")
    SALES = "sales", _("Ventes par le GIE")
    USAGE = "usage", _("Utilisation du service")


class AllocationKeyValue(models.Model):
    """The weight of one member under one key for one period (a month, or the whole year when month is 0)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="allocation_values")
    key = models.CharField(_("clé"), max_length=20, choices=AllocationKey.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    month = models.PositiveSmallIntegerField(_("mois"), default=0, help_text=_("0 = toute l'année"))
    value = models.DecimalField(
        _("valeur"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )

    class Meta:
        verbose_name = _("donnée de clé de répartition")
        verbose_name_plural = _("données de clés de répartition")
        ordering = ["organization", "key", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "year", "month"],
                name="allocation_value_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(month__lte=12),
                name="allocation_value_month_range",
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.organization} {self.key} {period} = {self.value}"


class User(AbstractUser):
    """A person who logs in. One role; cooperative roles are bound to one organization."""

    role = models.CharField(_("rôle"), max_length=24, choices=Role.choices, default=Role.COOP_REPRESENTATIVE)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("coopérative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    preferred_language = models.CharField(
        _("langue"), max_length=5, choices=[("fr", "Français"), ("ar", "العربية")], default="fr"
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="coop_representative") | models.Q(organization__isnull=False),
                name="representative_has_organization",
            )
        ]
