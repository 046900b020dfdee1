"""Cost-shared service fees (DESIGN §6): cost pools, what feeds them, their keys, the runs that bill members their
shares, and the year-end transfer that brings the GIE's result to zero (law 13-97)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gie_erp.core import pictograms
from gie_erp.core.money import ZERO
from invoices.models import VatRate
from ledger.chart import chart_by_code

DEBOURS_CODE = "debours"  # the VAT code of a pool of débours (migration fees/0002)
#: third-party accounts (CGNC 34 créances, 44 dettes): where débours stay, out of the GIE's result
THIRD_PARTY_PREFIXES = ("34", "44")
#: the drawings a pool may carry on its notice and the portal (``gie_erp.core.pictograms``), as people read them;
#: the arrows and the coins are left out: on the notice they mean money spent, recovered and due
_PICTOGRAM_LABELS: dict[str, Any] = {
    "building": _("bâtiment"),
    "receipt": _("reçu"),
    "cart": _("chariot"),
    "basket": _("panier"),
    "cap": _("toque de diplômé"),
    "truck": _("camion"),
    "person": _("personne"),
    "exchange": _("échange"),
    "hand": _("cadeau"),
    "invoice-paid": _("facture payée"),
    "box-missing": _("carton"),
}
POOL_PICTOGRAMS = {name: label for name, label in _PICTOGRAM_LABELS.items() if name in pictograms.SOURCES}


def vat_code_label(code: str) -> str:
    """A VAT code as people read it ("TVA 20 % (taux normal)"), in Arabic on an Arabic page; the code if unknown."""
    rate = VatRate.objects.filter(code=code).order_by("-valid_from").first()
    if rate is None:
        return code
    return rate.label_ar if get_language() == "ar" and rate.label_ar else rate.label_fr


def kind_errors(kind: str, vat_code: str, revenue_account: str) -> dict[str, Any]:
    """What a pool's nature forbids: a service of the GIE is billed with a VAT rate on a revenue account (class 7);
    débours are re-billed at cost, without VAT, on the third-party account where the GIE paid them."""
    errors: dict[str, Any] = {}
    if kind == Pool.Kind.DEBOURS:
        if vat_code and vat_code != DEBOURS_CODE:
            errors["vat_code"] = _(
                "Des débours se refacturent au coût, sans TVA : choisissez « Débours (hors base imposable) »."
            )
        if revenue_account and not revenue_account.startswith(THIRD_PARTY_PREFIXES):
            errors["revenue_account"] = _(
                "Des débours se refacturent au coût sur le compte de tiers où le GIE les a payés (34… ou 44…, par "
                "exemple 3488), jamais sur un compte de charge ou de produit : ils restent hors du résultat du GIE."
            )
    else:
        if vat_code == DEBOURS_CODE:
            errors["vat_code"] = _(
                "Un service du GIE se facture avec un taux de TVA (le taux normal en général) : « Débours » est "
                "réservé aux pools de nature « Débours refacturés au coût »."
            )
        if revenue_account and not revenue_account.startswith("7"):
            errors["revenue_account"] = _(
                "Un service du GIE se facture sur un compte de produit (classe 7, par exemple 7124)."
            )
    return errors


def source_refusal(*, kind: str, revenue_account: str, account_code: str) -> str:
    """Why ``account_code`` cannot feed a pool of this nature (empty when it can). A service pool is fed by the GIE's
    costs (class 6) net of the revenue that already recovers them (class 7); a pool of débours by the one
    third-party account its invoices clear (its own "revenue" account, e.g. 3488), so they net it to zero."""
    if kind == Pool.Kind.DEBOURS:
        if account_code != revenue_account:
            return str(
                _(
                    "Un pool de débours est alimenté par son compte de tiers %(account)s (celui que ses factures "
                    "soldent), pas par %(code)s."
                )
                % {"account": revenue_account, "code": account_code}
            )
        return ""
    if account_code[:1] not in ("6", "7"):
        return str(
            _(
                "Le compte %(code)s ne peut pas alimenter un pool : seules les charges (classe 6) et les produits "
                "qui les recouvrent déjà (classe 7) du GIE le font."
            )
            % {"code": account_code}
        )
    return ""


class Key(models.TextChoices):
    """How a pool is split between members."""

    EQUAL = "equal", _("À parts égales")
    COOPERATORS = "cooperators", _("Nombre de coopérateurs")
    SALES = "sales", _("Ventes par le GIE")
    USAGE = "usage", _("Utilisation du service")
    CAPITAL = "capital", _("Part du capital")
    CUSTOM = "custom", _("Poids importés")
    FEES = "fees", _("Quotes-parts facturées dans l'année")


class Frequency(models.TextChoices):
    """How often a pool must be run: the month close waits for the runs a frequency asks for."""

    MONTHLY = "monthly", _("Chaque mois")
    QUARTERLY = "quarterly", _("Chaque trimestre")
    YEARLY = "yearly", _("Chaque année")
    ON_DEMAND = "on_demand", _("À la demande (la clôture ne l'attend pas)")


ACCOUNT_CODE = RegexValidator(r"^[1-8][0-9]{3,5}$", _("Un compte du plan : 4 à 6 chiffres."))
TAG_PREFIX = RegexValidator(
    r"^[a-z0-9][a-z0-9_.:-]{0,79}$", _("Une étiquette analytique : minuscules, chiffres, : . _ -")
)


class Pool(models.Model):
    """A cost pool: GIE accounts (net of what already recovers them) and/or a fixed amount a month, split by a key."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service du GIE (TVA)")
        DEBOURS = "debours", _("Débours refacturés au coût (sans TVA)")

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    key = models.CharField(_("clé de répartition"), max_length=16, choices=Key.choices, default=Key.EQUAL)
    vat_code = models.CharField(_("TVA"), max_length=30, default="normal-20")
    revenue_account = models.CharField(
        _("compte crédité chez le GIE"), max_length=6, default="7124", validators=[ACCOUNT_CODE]
    )
    member_account = models.CharField(
        _("compte de charge du membre"), max_length=6, default="6136", validators=[ACCOUNT_CODE]
    )
    fixed_monthly = models.DecimalField(
        _("montant fixe par mois"),
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    pictogram = models.CharField(_("pictogramme"), max_length=40, blank=True)
    exempted = models.ManyToManyField(
        "members.Organization", blank=True, related_name="+", verbose_name=_("membres exemptés par décision")
    )
    is_active = models.BooleanField(_("actif"), default=True)
    frequency = models.CharField(_("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.ON_DEMAND)

    class Meta:
        verbose_name = _("pool de coûts")
        verbose_name_plural = _("pools de coûts")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def is_debours(self) -> bool:
        return self.kind == self.Kind.DEBOURS

    @property
    def vat_label(self) -> str:
        """The VAT code as people read it ("TVA 20 % (taux normal)"), in Arabic on an Arabic page."""
        return vat_code_label(self.vat_code)

    def clean(self) -> None:
        """Both accounts in the pooled chart; the member's is an expense (class 6); the VAT code and the account
        credited fit the pool's nature (``kind_errors``), and so do the accounts already feeding it; the pictogram is
        one of the drawings."""
        errors: dict[str, Any] = {}
        for name in ("revenue_account", "member_account"):
            code = getattr(self, name)
            if code and code not in chart_by_code():
                errors[name] = _("Le compte %(code)s n'est pas dans le plan comptable.") % {"code": code}
        if "member_account" not in errors and self.member_account and not self.member_account.startswith("6"):
            errors["member_account"] = _("Le compte de charge du membre est un compte de la classe 6.")
        for name, error in kind_errors(self.kind, self.vat_code, self.revenue_account).items():
            errors.setdefault(name, error)
        if self.pk is not None and "revenue_account" not in errors:
            wrong = [
                code
                for code in self.sources.values_list("account_code", flat=True)
                if source_refusal(kind=self.kind, revenue_account=self.revenue_account, account_code=code)
            ]
            if wrong:
                errors["kind"] = _(
                    "Les comptes %(codes)s alimentent ce pool et ne conviennent pas à cette nature : retirez-les "
                    "d'abord de la page du pool."
                ) % {"codes": ", ".join(sorted(wrong))}
        if self.pictogram and self.pictogram not in POOL_PICTOGRAMS:
            errors["pictogram"] = _("Pictogramme inconnu : choisissez un des dessins de la liste.")
        if errors:
            raise ValidationError(errors)


class PoolSource(models.Model):
    """One GIE account feeding a pool: its net movement (debit − credit) over the period is added, so a cost
    (class 6) adds and a revenue that already recovers it (class 7: commissions, training fees, subsidies) takes
    off. With a tag prefix, only the lines carrying such a tag count; an account (with its prefix) feeds one pool."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="sources")
    account_code = models.CharField(_("compte"), max_length=6, validators=[ACCOUNT_CODE])
    tag_prefix = models.CharField(_("étiquette analytique (début)"), max_length=80, blank=True, validators=[TAG_PREFIX])

    class Meta:
        verbose_name = _("compte du pool")
        verbose_name_plural = _("comptes du pool")
        ordering = ["account_code", "tag_prefix"]
        constraints = [models.UniqueConstraint(fields=["account_code", "tag_prefix"], name="fees_source_one_pool")]

    def __str__(self) -> str:
        return f"{self.account_code} {self.tag_prefix}".strip()

    def clean(self) -> None:
        """In the chart, and of a class that may feed this pool (``source_refusal``)."""
        if self.account_code and self.account_code not in chart_by_code():
            raise ValidationError(
                {
                    "account_code": _("Le compte %(code)s n'est pas dans le plan comptable.")
                    % {"code": self.account_code}
                }
            )
        pool = self.pool if self.pool_id is not None else None
        refusal = (
            source_refusal(kind=pool.kind, revenue_account=pool.revenue_account, account_code=self.account_code)
            if pool is not None and self.account_code
            else ""
        )
        if refusal:
            raise ValidationError({"account_code": refusal})


class CustomWeight(models.Model):
    """A member's weight in a pool whose key is ``custom`` (imported from CSV/XLSX)."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="custom_weights")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("poids"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )

    class Meta:
        verbose_name = _("poids importé")
        verbose_name_plural = _("poids importés")
        constraints = [models.UniqueConstraint(fields=["pool", "organization"], name="fees_custom_weight_unique")]

    def __str__(self) -> str:
        return f"{self.pool} {self.organization_id} = {self.weight}"


class Posting(models.Model):
    """What a run and the year-end transfer share: who posted it and when, its generation (how many of the same
    were undone before it: their idempotency keys differ), and who undid it, when and why."""

    generation = models.PositiveSmallIntegerField(default=0)
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.CharField(_("motif de l'annulation"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def mark_undone(self, *, reason: str, acting_user: Any, state: str) -> None:
        self.state, self.undone_at, self.undo_reason = state, timezone.now(), reason[:200]
        self.undone_by = acting_user if getattr(acting_user, "pk", None) else None
        fields = ["state", "undone_at", "undone_by", "undo_reason"]  # ``state`` is each concrete model's own
        self.save(update_fields=fields)


class Run(Posting):
    """A pool billed for a period: one fee invoice per member (or none when its share is 0.00). Periods of one
    pool's runs never overlap unless the earlier run was undone (its invoices credited)."""

    class State(models.TextChoices):
        POSTED = "posted", _("Facturée")
        UNDONE = "undone", _("Annulée par avoirs")

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="runs")
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    issued_on = models.DateField(_("date des factures"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.POSTED)
    key = models.CharField(_("clé"), max_length=16, choices=Key.choices)
    vat_code = models.CharField(_("TVA"), max_length=30)
    costs = models.DecimalField(_("coûts"), max_digits=14, decimal_places=2)
    recovered = models.DecimalField(_("déjà recouvré"), max_digits=14, decimal_places=2)
    fixed = models.DecimalField(_("montant fixe"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("à répartir"), max_digits=14, decimal_places=2)
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("répartition")
        verbose_name_plural = _("répartitions")
        ordering = ["-starts_on", "pool__name_fr"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="fees_run_dates"),
            models.UniqueConstraint(
                fields=["pool", "starts_on", "ends_on", "generation"], name="fees_run_unique_generation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool} {self.starts_on:%Y-%m}..{self.ends_on:%Y-%m}"

    @property
    def vat_label(self) -> str:
        """The VAT code the run applied, as people read it."""
        return vat_code_label(self.vat_code)


class Share(models.Model):
    """One member's share of a run, with the weight that explains it and its invoice (and credit note if undone)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="shares")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="fee_shares")
    weight = models.DecimalField(_("poids"), max_digits=16, decimal_places=2)
    exact = models.DecimalField(_("part exacte"), max_digits=20, decimal_places=6)
    share = models.DecimalField(_("part HT"), max_digits=14, decimal_places=2)
    vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2)
    document = models.OneToOneField(
        "invoices.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="fee_share"
    )
    credit_note = models.OneToOneField(
        "invoices.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="fee_share_credit"
    )
    rendered_at = models.DateTimeField(null=True, blank=True)  # the fee notice PDF, rendered after posting

    class Meta:
        verbose_name = _("quote-part")
        verbose_name_plural = _("quotes-parts")
        ordering = ["run", "organization__legal_name_fr"]
        constraints = [models.UniqueConstraint(fields=["run", "organization"], name="fees_share_unique")]

    def __str__(self) -> str:
        return f"{self.run} {self.organization_id}: {self.share}"

    @property
    def total(self) -> Decimal:
        return self.share + self.vat


class ZeroResult(Posting):
    """The year-end transfer of the GIE's surplus (or deficit) to its members, so that its result is 0.00."""

    class State(models.TextChoices):
        POSTED = "posted", _("Passé")
        UNDONE = "undone", _("Contre-passé")

    year = models.PositiveSmallIntegerField(_("année"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.POSTED)
    key = models.CharField(_("clé"), max_length=16, choices=Key.choices, default=Key.FEES)
    result = models.DecimalField(_("résultat du GIE avant transfert"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("résultat nul")
        verbose_name_plural = _("résultats nuls")
        ordering = ["-year", "-generation"]
        constraints = [models.UniqueConstraint(fields=["year", "generation"], name="fees_zero_unique_generation")]

    def __str__(self) -> str:
        return f"{self.year} ({self.result})"

    @property
    def is_surplus(self) -> bool:
        return self.result > 0


class ZeroShare(models.Model):
    """One member's part of the year-end transfer (positive: surplus given back; negative: deficit charged)."""

    zero = models.ForeignKey(ZeroResult, on_delete=models.CASCADE, related_name="shares")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("poids"), max_digits=16, decimal_places=2)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["zero", "organization__legal_name_fr"]
        constraints = [models.UniqueConstraint(fields=["zero", "organization"], name="fees_zero_share_unique")]

    def __str__(self) -> str:
        return f"{self.zero} {self.organization_id}: {self.amount}"
