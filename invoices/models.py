"""Invoicing: the customer and supplier register, documents (invoices and credit notes) with their lines and VAT
per rate, gapless numbering, payments and their allocation, write-offs. ``invoices`` is the only app that posts a
document (DESIGN §6, "one owner for documents"): sales, training and fees create theirs through
``invoices.services``."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.legal_ids import validate_ice

ZERO = Decimal("0.00")


def _money(verbose: Any, **kwargs: Any) -> Any:
    """A MAD amount column: 14 digits, 2 places, 0.00 by default."""
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, default=ZERO, **kwargs)


class VatRate(models.Model):
    """A VAT rate or exemption, valid between two dates, with its legal reference (printed on invoices) and the
    source that set or changed it (a rate changes only with a cited source and date)."""

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
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_date = models.DateField(_("date de la source"), null=True, blank=True)

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


class Party(models.Model):
    """A customer or supplier of the group (one register, kept by the GIE). A member cooperative billed by the GIE
    is a party linked to its organization."""

    class Kind(models.TextChoices):
        BUSINESS = "business", _("Entreprise")
        CONSUMER = "consumer", _("Particulier")

    class Language(models.TextChoices):
        FRENCH = "fr", _("Français")
        ARABIC = "ar", _("Arabe")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.BUSINESS)
    legal_name_fr = models.CharField(_("raison sociale (français)"), max_length=200)
    legal_name_ar = models.CharField(_("raison sociale (arabe)"), max_length=200, blank=True)
    organization = models.OneToOneField(
        "members.Organization",
        verbose_name=_("membre du GIE"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party",
    )
    ice = models.CharField(_("ICE"), max_length=15, blank=True, validators=[validate_ice])
    if_number = models.CharField(_("identifiant fiscal (IF)"), max_length=20, blank=True)
    rc_number = models.CharField(_("registre du commerce (RC)"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, default=Language.FRENCH)
    payment_terms_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    is_customer = models.BooleanField(_("client"), default=True)
    is_supplier = models.BooleanField(_("fournisseur"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client ou fournisseur")
        verbose_name_plural = _("clients et fournisseurs")
        ordering = ["legal_name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["ice"], condition=~models.Q(ice=""), name="party_ice_unique"),
            models.CheckConstraint(
                condition=models.Q(payment_terms_days__lte=365), name="party_payment_terms_at_most_a_year"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name_fr


class IssuerSettings(models.Model):
    """How one book invoices: its VAT regime (cash basis by default), VAT period and the means of payment printed."""

    class VatRegime(models.TextChoices):
        CASH = "cash", _("Encaissement (par défaut)")
        ACCRUAL = "accrual", _("Débits (sur option)")

    class VatPeriod(models.TextChoices):
        MONTH = "month", _("Mensuelle")
        QUARTER = "quarter", _("Trimestrielle")

    organization = models.OneToOneField(
        "members.Organization", on_delete=models.CASCADE, related_name="invoicing_settings"
    )
    vat_regime = models.CharField(_("régime de TVA"), max_length=10, choices=VatRegime.choices, default=VatRegime.CASH)
    vat_period = models.CharField(
        _("période de déclaration"), max_length=10, choices=VatPeriod.choices, default=VatPeriod.MONTH
    )
    bank_account = models.CharField(_("RIB"), max_length=40, blank=True)
    payment_means = models.CharField(_("moyens de paiement acceptés"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("paramètres de facturation")
        verbose_name_plural = _("paramètres de facturation")

    def __str__(self) -> str:
        return str(self.organization)


class DocumentSequence(models.Model):
    """The last number of one continuous series (issuer, document type, year). Locked and incremented in the
    transaction that validates and posts the document: a rolled-back validation leaves no hole."""

    issuer = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "year"], name="document_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.kind} {self.year}: {self.last_number}"


class Bundle(models.Model):
    """A customer order spanning several issuers: one document per issuer, printed together with a cover total."""

    customer = models.ForeignKey(Party, verbose_name=_("client"), on_delete=models.PROTECT, related_name="bundles")
    reference = models.CharField(_("référence"), max_length=60, blank=True)
    issued_on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commande groupée")
        verbose_name_plural = _("commandes groupées")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} {self.issued_on} {self.reference}"


class Document(models.Model):
    """An invoice or a credit note. A draft is free to change or delete; a validated document is immutable,
    numbered and posted. A credit note always corrects one invoice of the same issuer."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Facture")
        CREDIT_NOTE = "credit_note", _("Avoir")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validée")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Saisie")
        HANDWRITTEN = "handwritten", _("Facture manuscrite du membre")
        FEE_RUN = "fee_run", _("Quote-part des services")
        TRAINING = "training", _("Formation")
        FAIR_COMMISSION = "fair_commission", _("Commission sur ventes")
        FAIR_SALE = "fair_sale", _("Vente en foire")

    class Submission(models.TextChoices):
        NOT_SUBMITTED = "not_submitted", _("Non transmise")
        SUBMITTED = "submitted", _("Transmise")
        CLEARED = "cleared", _("Validée par la DGI")
        REJECTED = "rejected", _("Rejetée")

    issuer = models.ForeignKey(
        "members.Organization", verbose_name=_("émetteur"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    customer = models.ForeignKey(Party, verbose_name=_("client"), on_delete=models.PROTECT, related_name="documents")
    issued_on = models.DateField(_("date"))
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    number = models.CharField(_("numéro"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("facture corrigée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("commande groupée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    origin = models.CharField(_("origine"), max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    origin_ref = models.CharField(_("référence d'origine"), max_length=80, blank=True)
    #: carried by the issuer's revenue lines (``training:<session>``): what the revenue was for, read per tag
    analytic_tag = models.CharField(_("étiquette analytique"), max_length=80, blank=True)
    idempotency_key = models.CharField(max_length=120, blank=True)
    expense_account = models.CharField(_("compte de charge du membre"), max_length=10, blank=True)
    payment_terms = models.CharField(_("conditions de paiement"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    vat_regime = models.CharField(max_length=10, blank=True)  # the issuer's regime, frozen at validation
    total_net = _money(_("total HT"))
    total_vat = _money(_("total TVA"))
    total_gross = _money(_("total TTC"))
    amount_paid = _money(_("payé"))
    amount_credited = _money(_("avoirs"))
    amount_written_off = _money(_("passé en perte"))
    issuer_snapshot = models.JSONField(default=dict, blank=True)  # the mentions, frozen at validation
    customer_snapshot = models.JSONField(default=dict, blank=True)
    verify_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    submission_state = models.CharField(
        _("facturation électronique"),
        max_length=16,
        choices=Submission.choices,
        default=Submission.NOT_SUBMITTED,
    )
    submission_ref = models.CharField(max_length=120, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["issuer", "status", "issued_on"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["origin", "origin_ref"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "number"], condition=~models.Q(number=""), name="document_number_unique"
            ),
            models.UniqueConstraint(
                fields=["issuer", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="document_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", corrects__isnull=True)
                | models.Q(kind="credit_note", corrects__isnull=False),
                name="document_credit_note_corrects_an_invoice",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} ({self.get_status_display()} {self.pk})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_mandate(self) -> bool:
        """Issued by the GIE in a member's name and for its account."""
        return not self.issuer.is_gie

    @property
    def balance_due(self) -> Decimal:
        """What the customer still owes on an invoice (0 for a credit note)."""
        if self.kind != self.Kind.INVOICE or self.is_draft:
            return ZERO
        return self.total_gross - self.amount_credited - self.amount_paid - self.amount_written_off

    @property
    def creditable(self) -> Decimal:
        """What a new credit note may still take off this invoice (paid or not)."""
        return self.total_gross - self.amount_credited

    @property
    def payment_state(self) -> str:
        if self.kind != self.Kind.INVOICE or self.is_draft:
            return ""
        if self.balance_due <= 0:
            return "paid"
        if self.amount_paid > 0 or self.amount_credited > 0:
            return "partly_paid"
        return "unpaid"


class DocumentLine(models.Model):
    """One line: quantity × unit price HT less a discount, at a VAT rate valid on the document's date. The net and
    the VAT are rounded per line, half-up (invoices/totals.py)."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Produit")
        SERVICE = "service", _("Service")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("nature"), max_length=8, choices=Kind.choices, default=Kind.PRODUCT)
    description = models.CharField(_("désignation"), max_length=200)
    description_ar = models.CharField(_("désignation (arabe)"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantité"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unité"), max_length=20, blank=True)
    unit_price = models.DecimalField(
        _("prix unitaire HT"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    discount_rate = models.DecimalField(
        _("remise"), max_digits=5, decimal_places=4, default=Decimal("0"), help_text=_("0.1000 pour 10 %")
    )
    vat_rate = models.ForeignKey(VatRate, verbose_name=_("TVA"), on_delete=models.PROTECT, related_name="+")
    account_code = models.CharField(_("compte de produit"), max_length=10, blank=True)
    net = _money(_("montant HT"))
    vat = _money(_("TVA"))

    class Meta:
        verbose_name = _("ligne")
        verbose_name_plural = _("lignes")
        ordering = ["document", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_rate__gte=0, discount_rate__lte=1), name="line_discount_is_a_fraction"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class DocumentTax(models.Model):
    """A validated document's VAT at one rate: how much payments have settled (``vat_settled``), how much of that
    has moved from the transit account (44551) to the collected account (4455) because the money is in
    (``vat_moved``: a cheque's share moves when it is cashed), and how much credit notes or write-offs took off the
    transit account (``vat_reduced``). The document's own transit balance is ``vat − vat_moved − vat_reduced``."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="taxes")
    vat_rate = models.ForeignKey(VatRate, on_delete=models.PROTECT, related_name="+")
    net = _money(_("base HT"))
    vat = _money(_("TVA"))
    vat_settled = _money(_("TVA réglée"))  # allocated to payments, cheques not yet cashed included
    vat_moved = _money(_("TVA exigible"))  # of which moved to 4455 (the money is in)
    vat_reduced = _money(_("TVA annulée"))

    class Meta:
        ordering = ["document", "-vat_rate__rate", "vat_rate__code"]
        constraints = [
            models.UniqueConstraint(fields=["document", "vat_rate"], name="document_tax_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.vat_rate.code}: {self.vat}"

    @property
    def vat_in_transit(self) -> Decimal:
        """Transit VAT no payment has settled yet (what the next payment shares pro rata)."""
        return self.vat - self.vat_settled - self.vat_reduced

    @property
    def vat_in_transit_account(self) -> Decimal:
        """This document's balance on the transit account, uncashed cheques' share included."""
        return self.vat - self.vat_moved - self.vat_reduced


class Payment(models.Model):
    """Money received from a customer (or a member paying the GIE), allocated to one or more documents; what is
    left unallocated is the customer's credit. A cheque sits in 5111 until it is cashed; VAT on the cash basis
    becomes due when the money is in (payment date, or the day the cheque is cashed)."""

    class Method(models.TextChoices):
        CASH = "cash", _("Espèces")
        CHEQUE = "cheque", _("Chèque")
        TRANSFER = "transfer", _("Virement")
        CARD = "card", _("Carte")
        MOBILE = "mobile", _("Paiement mobile")
        OFFSET = "offset", _("Compensation")  # the GIE nets what it owes a member against the member's invoices

    payer = models.ForeignKey(Party, verbose_name=_("payeur"), on_delete=models.PROTECT, related_name="payments")
    collected_by = models.ForeignKey(
        "members.Organization", verbose_name=_("encaissé par"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("date"))
    method = models.CharField(_("moyen"), max_length=10, choices=Method.choices)
    amount = _money(_("montant"), validators=[MinValueValidator(Decimal("0.01"))])
    reference = models.CharField(_("référence"), max_length=80, blank=True)
    cashed_on = models.DateField(_("chèque encaissé le"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=120)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["collected_by", "idempotency_key"], name="payment_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} {self.received_on}"

    @property
    def is_cash_in(self) -> bool:
        """The money is in: any method but a cheque not yet cashed (a compensation counts as payment)."""
        return self.method != self.Method.CHEQUE or self.cashed_on is not None


class Allocation(models.Model):
    """Part of a payment applied to one invoice, with the VAT it settles per rate (moved to 4455 once cashed)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="allocations")
    amount = _money(_("montant"), validators=[MinValueValidator(Decimal("0.01"))])
    allocated_on = models.DateField(_("date"))
    vat_by_rate = models.JSONField(default=dict)  # VatRate id (str) -> "12.34": the VAT this allocation settles

    class Meta:
        ordering = ["payment", "pk"]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.document}: {self.amount}"


class WriteOff(models.Model):
    """A small difference left on an invoice, written off within the configured tolerance; the VAT of the part
    never paid is taken off the transit account."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="write_offs")
    amount = _money(_("montant"), validators=[MinValueValidator(Decimal("0.01"))])
    written_on = models.DateField(_("date"))
    vat_by_rate = models.JSONField(default=dict)
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return f"{self.document}: {self.amount}"
