"""Which CGNC accounts feed which row of the monthly statement: data, with a default that fits the demo books.

**The balance a statement shows is the cooperative's money**: bank (514x) + cash (516x) + what the GIE owes the
cooperative (3488 with partner GIE: fair sales collected in its name, not yet settled) − what the cooperative owes
the GIE (4488 with partner GIE: fees invoiced, not yet paid). Each is a debit − credit balance, so the sum is one
signed figure.

**Rows explain how that money moved in the month**, the way the detail lists it: each of the month's entries that
moved the money counts once, whole, under the row of its main counterpart (its largest line that is not money),
found by the first matching rule below. A row's figure is the sum of those effects (positive: money came in), i.e.
the detail grouped by row, and

    opening + received − paid or owed ± other movements = closing

holds to the centime (the balance table gives opening and closing; ``layout`` checks that the entries agree).

Consequences, by design:
- "Ventes au comptant" are the sales paid at once (cash, transfer, or collected by the GIE at a fair); a sale on
  credit shows the month the customer pays, under "Règlements clients" — the name the detail gives those lines —
  so a reader finds every detail line in the row that names it. Likewise purchases on credit show when the
  supplier is paid ("Paiements fournisseurs");
- a GIE settlement (bank debit, 3488 GIE credit) moves money the GIE already held for the cooperative into its bank:
  it changes no row and no balance, and is listed in the detail as a transfer;
- a fee invoiced by the GIE is "paid or owed" the day it is invoiced (4488 GIE is part of the money).
"""

from dataclasses import dataclass
from enum import StrEnum


class Partner(StrEnum):
    ANY = "any"
    GIE = "gie"  # the line's partner book is the GIE's


class Flow(StrEnum):
    """Which way a row moves the money; decides its colour band, arrow and sign."""

    IN = "in"
    OUT = "out"
    OTHER = "other"


class Icon(StrEnum):
    """Category pictograms (inline SVG in the template), next to the in/out arrow of the row."""

    BASKET = "basket"
    HAND = "hand"
    COINS = "coins"
    BUILDING = "building"
    CAP = "cap"
    CART = "cart"
    PERSON = "person"
    RECEIPT = "receipt"
    INVOICE_PAID = "invoice_paid"
    TRUCK = "truck"
    EXCHANGE = "exchange"


@dataclass(frozen=True, slots=True)
class AccountMatch:
    """Accounts whose code starts with ``prefix`` ("" matches every account), optionally only with partner GIE."""

    prefix: str
    partner: Partner = Partner.ANY

    def matches(self, code: str, partner_id: int, gie_id: int | None) -> bool:
        if not code.startswith(self.prefix):
            return False
        return self.partner == Partner.ANY or (gie_id is not None and partner_id == gie_id)


@dataclass(frozen=True, slots=True)
class StatementRow:
    key: str
    flow: Flow
    icon: Icon
    label_fr: str
    label_ar: str
    label_zgh: str  # Tifinagh, shown when the cooperative asks for it (wording awaiting a native speaker's review)
    always_shown: bool = False  # the same rows every month, even at zero: readers learn where to look


@dataclass(frozen=True, slots=True)
class Rule:
    match: AccountMatch
    row_key: str


class MappingError(ValueError):
    """The mapping data is inconsistent (a rule to an unknown row, no catch-all rule)."""


@dataclass(frozen=True, slots=True)
class StatementMapping:
    money: tuple[AccountMatch, ...]
    rows: tuple[StatementRow, ...]
    rules: tuple[Rule, ...]  # first match wins; the last must match everything

    def __post_init__(self) -> None:
        keys = {row.key for row in self.rows}
        if len(keys) != len(self.rows):
            raise MappingError("duplicate row keys")
        unknown = [rule.row_key for rule in self.rules if rule.row_key not in keys]
        if unknown:
            raise MappingError(f"rules point to unknown rows: {unknown}")
        if not self.rules or self.rules[-1].match != AccountMatch(""):
            raise MappingError("the last rule must be the catch-all AccountMatch('')")

    def is_money(self, code: str, partner_id: int, gie_id: int | None) -> bool:
        return any(match.matches(code, partner_id, gie_id) for match in self.money)

    def row_key_of(self, code: str, partner_id: int, gie_id: int | None) -> str:
        """The row an account movement belongs to (call only for non-money keys)."""
        for rule in self.rules:
            if rule.match.matches(code, partner_id, gie_id):
                return rule.row_key
        raise MappingError(f"no rule matches {code}")  # unreachable: the last rule is a catch-all

    def row(self, key: str) -> StatementRow:
        return next(row for row in self.rows if row.key == key)


OPENING = StatementRow(
    "opening", Flow.OTHER, Icon.COINS, "Solde au début du mois", "الرصيد في بداية الشهر", "ⵉⴷⵔⵉⵎⵏ ⴳ ⵓⵙⵏⵜⵉ ⵏ ⵡⴰⵢⵢⵓⵔ"
)
CLOSING = StatementRow(
    "closing", Flow.OTHER, Icon.COINS, "Solde à la fin du mois", "الرصيد في نهاية الشهر", "ⵉⴷⵔⵉⵎⵏ ⴳ ⵜⴳⵉⵔⴰ ⵏ ⵡⴰⵢⵢⵓⵔ"
)

DEFAULT_MAPPING = StatementMapping(
    money=(
        AccountMatch("514"),  # banks, Trésorerie générale, postal cheques
        AccountMatch("516"),  # cash boxes
        AccountMatch("3488", Partner.GIE),  # the GIE owes the cooperative
        AccountMatch("4488", Partner.GIE),  # the cooperative owes the GIE
    ),
    rows=(
        StatementRow("sales", Flow.IN, Icon.BASKET, "Ventes au comptant", "المبيعات نقدا", "ⴰⵣⵏⵣ", always_shown=True),
        StatementRow(
            "customer_payments",
            Flow.IN,
            Icon.INVOICE_PAID,
            "Règlements clients",
            "تسديدات الزبناء",
            "ⴰⵅⵍⵍⵚ ⵏ ⵉⵎⵙⵖⴰⵏ",
        ),
        StatementRow("grants", Flow.IN, Icon.HAND, "Subventions", "الإعانات والمنح", "ⵜⵉⵡⵉⵙⵉ"),
        StatementRow("other_income", Flow.IN, Icon.COINS, "Autres recettes", "مداخيل أخرى", "ⵉⴽⵛⵛⵓⵎⵏ ⵢⴰⴹⵏ"),
        StatementRow(
            "gie_fees",
            Flow.OUT,
            Icon.BUILDING,
            "Frais et services du GIE",
            "مصاريف المجموعة ذات النفع الاقتصادي",
            "ⵉⵚⵕⵉⴼⵏ ⵏ GIE",
            always_shown=True,
        ),
        StatementRow("training", Flow.OUT, Icon.CAP, "Formation", "مصاريف التكوين", "ⴰⵙⵍⵎⴷ"),
        StatementRow("purchases", Flow.OUT, Icon.CART, "Achats", "المشتريات", "ⴰⵙⵖⴰ"),
        StatementRow(
            "supplier_payments",
            Flow.OUT,
            Icon.TRUCK,
            "Paiements fournisseurs",
            "تسديدات للممونين",
            "ⴰⵅⵍⵍⵚ ⵏ ⵉⵎⵣⵏⵣⴰ",
        ),
        StatementRow("wages", Flow.OUT, Icon.PERSON, "Salaires", "الأجور", "ⴰⵖⵔⴰⴷ"),
        StatementRow("other_expenses", Flow.OUT, Icon.RECEIPT, "Autres frais", "مصاريف أخرى", "ⵉⵚⵕⵉⴼⵏ ⵢⴰⴹⵏ"),
        StatementRow("other_movements", Flow.OTHER, Icon.EXCHANGE, "Autres mouvements", "حركات أخرى", "ⵉⵎⵓⵙⵙⵓⵜⵏ ⵢⴰⴹⵏ"),
    ),
    rules=(
        Rule(AccountMatch("61365"), "training"),  # trainers' fees (honoraires), from the GIE or not
        Rule(AccountMatch("611"), "purchases"),  # goods for resale
        Rule(AccountMatch("612"), "purchases"),  # raw materials, supplies, packaging, services bought
        Rule(AccountMatch("617"), "wages"),  # staff costs
        Rule(AccountMatch("6", Partner.GIE), "gie_fees"),  # commissions, shared-service fees invoiced by the GIE
        Rule(AccountMatch("6"), "other_expenses"),
        Rule(AccountMatch("716"), "grants"),  # operating subsidies
        Rule(AccountMatch("71"), "sales"),  # sales paid at once (incl. fair sales collected by the GIE)
        Rule(AccountMatch("7"), "other_income"),
        Rule(AccountMatch("342"), "customer_payments"),  # customers paying (or refunded) what they owed
        Rule(AccountMatch("441"), "supplier_payments"),  # suppliers paid what the cooperative owed them
        Rule(AccountMatch(""), "other_movements"),  # capital, equipment, loans, VAT, other debts
    ),
)
