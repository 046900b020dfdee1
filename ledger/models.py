"""Our side of the books. django-ledger holds entities, charts, ledgers, journal entries and transactions; these
tables add what it lacks: the book ↔ organization link, idempotent entries with their source, the partner of each
GIE↔member line, the monthly balance table in integer centimes, period locks and gapless journal numbers."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD


class Journal(models.TextChoices):
    SALES = "VT", _("Ventes")
    PURCHASES = "AC", _("Achats")
    BANK = "BQ", _("Banque")
    CASH = "CA", _("Caisse")
    MISC = "OD", _("Opérations diverses")
    CLOSING = "CL", _("Clôture de l'exercice")
    OPENING = "AN", _("À-nouveaux")


#: the journals a person posts in by hand (the closing and opening journals are the year close's only)
MANUAL_JOURNALS = [(value, label) for value, label in Journal.choices if value not in ("CL", "AN")]


def balance_month(journal: str, posted_on: Any) -> int:
    """The balance-table month of an entry: its date's month, or the opening/closing period of its year."""
    if journal == "CL":
        return CLOSING_PERIOD
    if journal == "AN":
        return OPENING_PERIOD
    return int(posted_on.month)


class Book(models.Model):
    """One set of books: a member cooperative's or the GIE's, backed by one django-ledger entity."""

    organization = models.OneToOneField("members.Organization", on_delete=models.PROTECT, related_name="book")
    entity = models.OneToOneField("django_ledger.EntityModel", on_delete=models.PROTECT, related_name="+")
    coa = models.OneToOneField("django_ledger.ChartOfAccountModel", on_delete=models.PROTECT, related_name="+")
    chart_version = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("livre comptable")
        verbose_name_plural = _("livres comptables")

    def __str__(self) -> str:
        return str(self.organization)


class Entry(models.Model):
    """A posted journal entry: the django-ledger entry plus its idempotency key, source and journal number.

    Never updated or deleted: a correction is a reversal (``reversal_of``) plus a new entry.
    """

    je = models.OneToOneField(
        "django_ledger.JournalEntryModel",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="je_id",
    )
    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="entries", db_index=False
    )  # unique keys lead by book
    journal = models.CharField(_("journal"), max_length=2, choices=Journal.choices)
    number = models.CharField(_("numéro"), max_length=25)
    posted_on = models.DateField(_("date"))
    description = models.CharField(_("libellé"), max_length=120)
    source_ref = models.CharField(_("pièce"), max_length=120)
    idempotency_key = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    reversal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False)

    class Meta:
        verbose_name = _("écriture")
        verbose_name_plural = _("écritures")
        constraints = [
            models.UniqueConstraint(fields=["book", "idempotency_key"], name="entry_key_unique_per_book"),
            models.UniqueConstraint(fields=["book", "number"], name="entry_number_unique_per_book"),
        ]
        indexes = [models.Index(fields=["book", "posted_on"], name="entry_book_date")]

    def __str__(self) -> str:
        return f"{self.number} {self.posted_on} {self.description}"


class PartnerLine(models.Model):
    """The partner book of one django-ledger transaction line (GIE↔member flows only)."""

    tx = models.OneToOneField(
        "django_ledger.TransactionModel",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="tx_id",
    )
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)  # (book, partner) index
    partner = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["book", "partner"], name="partnerline_book_partner")]

    def __str__(self) -> str:
        return f"{self.tx_id} → {self.partner_id}"


class AnalyticLine(models.Model):
    """The analytic tag of one django-ledger transaction line (``training:<session>``, ``fair:<event>``…), stored
    beside the partner. The balance table does not carry it: a tag's report reads these rows and their lines."""

    tx = models.OneToOneField(
        "django_ledger.TransactionModel",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="tx_id",
    )
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)  # (book, tag) index
    tag = models.CharField(_("étiquette analytique"), max_length=80)

    class Meta:
        indexes = [models.Index(fields=["book", "tag"], name="analyticline_book_tag")]

    def __str__(self) -> str:
        return f"{self.tx_id} # {self.tag}"


class Balance(models.Model):
    """Monthly movements per (book, account, partner) in integer centimes: exact on every database.

    ``partner_id`` 0 means no partner (a plain integer, so the unique key works the same on SQLite and PostgreSQL).
    Written only by the posting path, in the same transaction as the entry.
    """

    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # unique key leads by book
    account_code = models.CharField(max_length=10)
    partner_id = models.BigIntegerField(default=0)
    year = models.SmallIntegerField()
    month = models.SmallIntegerField()
    debit = models.BigIntegerField(default=0)
    credit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "account_code", "partner_id", "year", "month"], name="balance_key_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "month", "account_code"], name="balance_period_account")]

    def __str__(self) -> str:
        return f"{self.book_id} {self.account_code} {self.year}-{self.month:02d}: {self.debit} / {self.credit}"


PERIOD_FIRST_YEAR, PERIOD_LAST_YEAR = 2000, 2100  # the years a month can be locked in (a CHECK constraint too)


class PeriodLock(models.Model):
    """A locked month of a book: postings dated in it are refused (on PostgreSQL by a trigger too).

    Months lock in order (``period_lock``) and reopen from the latest (``period_unlock``); on PostgreSQL a lock row
    is deleted or changed only by ``period_unlock`` (migration 0012).
    """

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="locks")
    year = models.SmallIntegerField()
    month = models.SmallIntegerField()
    locked_at = models.DateTimeField(auto_now_add=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("période verrouillée")
        verbose_name_plural = _("périodes verrouillées")
        constraints = [
            models.UniqueConstraint(fields=["book", "year", "month"], name="period_lock_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="period_lock_month_valid"),
            models.CheckConstraint(
                condition=models.Q(year__gte=PERIOD_FIRST_YEAR, year__lte=PERIOD_LAST_YEAR),
                name="period_lock_year_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.year}-{self.month:02d}"


class JournalSequence(models.Model):
    """The last number used per (book, journal, year): entries are numbered without gaps."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    journal = models.CharField(max_length=2, choices=Journal.choices)
    year = models.SmallIntegerField()
    last_number = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "journal", "year"], name="journal_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.book_id} {self.journal}{self.year}: {self.last_number}"


def _attachment_path(instance: "EntryAttachment", filename: str) -> str:
    return f"sources/{instance.book_id}/{instance.entry_id}/{filename}"


class EntryAttachment(models.Model):
    """The scanned source document of an entry (invoice, receipt, bank statement)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="attachments")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("pièce justificative"), upload_to=_attachment_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")

    def __str__(self) -> str:
        return self.file.name or ""


class BookCheck(models.Model):
    """The last `ledger_verify` result of a book, shown as an alert on the dashboard."""

    book = models.OneToOneField(Book, on_delete=models.CASCADE, related_name="check_result")
    checked_at = models.DateTimeField()
    differences = models.IntegerField(default=0)
    bypassed_entries = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("contrôle du livre")
        verbose_name_plural = _("contrôles des livres")

    def __str__(self) -> str:
        return f"{self.book} {self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.is_ok else 'KO'}"

    @property
    def is_ok(self) -> bool:
        return self.differences == 0 and self.bypassed_entries == 0


class PostingRule(models.Model):
    """Which accounts a business event posts to, in the GIE's book and in the member's (CGNC defaults, editable)."""

    class Event(models.TextChoices):
        FAIR_SALE = "fair_sale", _("Vente en foire (mandat)")
        FAIR_COMMISSION = "fair_commission", _("Commission du GIE sur les ventes")
        FAIR_SETTLEMENT = "fair_settlement", _("Règlement des ventes au membre")
        CONSIGNMENT_LOSS = "consignment_loss", _("Manquant en consignation pris en charge par le GIE")
        SERVICE_FEE = "service_fee", _("Quote-part des services mutualisés")
        TRAINING_FEE = "training_fee", _("Frais de formation")
        SUBSIDY = "subsidy", _("Subvention d'exploitation")
        OWN_NAME_PURCHASE = "own_name_purchase", _("Achat au membre (vente en nom propre)")
        OWN_NAME_SALE = "own_name_sale", _("Revente par le GIE (vente en nom propre)")

    class Side(models.TextChoices):
        GIE = "gie", _("Livre du GIE")
        MEMBER = "member", _("Livre du membre")

    event = models.CharField(_("événement"), max_length=30, choices=Event.choices)
    side = models.CharField(_("livre"), max_length=6, choices=Side.choices)
    debit_account = models.CharField(_("compte débité"), max_length=10)
    credit_account = models.CharField(_("compte crédité"), max_length=10)
    vat_account = models.CharField(_("compte de TVA"), max_length=10, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("règle de comptabilisation")
        verbose_name_plural = _("règles de comptabilisation")
        ordering = ["event", "side"]
        constraints = [models.UniqueConstraint(fields=["event", "side"], name="posting_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_side_display()}: {self.debit_account} / {self.credit_account}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from ledger.chart import chart_by_code

        for name in ("debit_account", "credit_account", "vat_account"):
            code = getattr(self, name)
            if code and code not in chart_by_code():
                raise ValidationError({name: _("Compte inconnu du plan comptable : %(value)s.") % {"value": code}})


class BalanceYear(models.Model):
    """Yearly movements per (book, account, partner) in integer centimes: ``Balance``'s months 1 to 12 folded by
    year (the opening and closing periods stay monthly rows), so that a whole-year report over every book reads one
    row per book and account (a few more where partners are set: the combined accounts pair on them)."""

    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # unique key leads by book
    account_code = models.CharField(max_length=10)
    partner_id = models.BigIntegerField(default=0)
    year = models.SmallIntegerField()
    debit = models.BigIntegerField(default=0)
    credit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "account_code", "partner_id", "year"], name="balance_year_partner_key_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "account_code"], name="balance_year_account")]

    def __str__(self) -> str:
        return f"{self.book_id} {self.account_code} {self.year}: {self.debit} / {self.credit}"


class PairClaim(models.Model):
    """Which pair of the combined accounts an amount with a partner belongs to, per account code: the claims the
    pair table (``PairYear``) was built under (``ledger.pair_table``). Each of the four cases (the book is the GIE's
    or a member's, the partner is the GIE or a member) holds ``2 × group + side`` (side 0 the left, 1 the right), or
    -1 when no pair takes it. Written only by ``services.pair_claims_set``, which rebuilds the pair table with it."""

    account_code = models.CharField(max_length=10, unique=True)
    member_member = models.SmallIntegerField()
    member_gie = models.SmallIntegerField()
    gie_member = models.SmallIntegerField()
    gie_gie = models.SmallIntegerField()

    def __str__(self) -> str:
        return f"{self.account_code}: {self.cases}"

    @property
    def cases(self) -> tuple[int, int, int, int]:
        return (self.member_member, self.member_gie, self.gie_member, self.gie_gie)


class PairYear(models.Model):
    """The pairs of the combined accounts by year, in integer centimes: per (year, group, left organization, right
    organization), the sums of the left side's and the right side's amounts with a partner (months 1 to 12: the
    opening and closing entries are not in it, like ``BalanceYear``), kept
    by every posting like the balance tables (``ledger.pair_table``), so that a whole year's combination reads the
    few pairs that do not cancel instead of pairing every balance row by partner."""

    year = models.SmallIntegerField()
    pair_group = models.SmallIntegerField()
    left_organization_id = models.BigIntegerField()
    right_organization_id = models.BigIntegerField()
    left_sum = models.BigIntegerField(default=0)
    right_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "pair_group", "left_organization_id", "right_organization_id"],
                name="pair_year_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.pair_group} {self.left_organization_id}↔{self.right_organization_id}"
