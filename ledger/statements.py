"""Moroccan statements (CGNC model): Bilan and CPC built from account balances by code prefix. Pure: no ORM.

Inputs are ``{account_code: debit − credit}`` in integer centimes. Outputs keep centimes; callers format them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rubrique:
    key: str
    label_fr: str
    label_ar: str
    prefixes: tuple[str, ...]  # accounts whose code starts with one of these
    contra_prefixes: tuple[str, ...] = ()  # amortisation / provision accounts deducted from it (Bilan actif)


@dataclass
class StatementLine:
    key: str
    label_fr: str
    label_ar: str
    gross: int = 0
    contra: int = 0  # amortisations and provisions (actif only)
    accounts: dict[str, int] = field(default_factory=dict)  # code → amount shown (drill-down)

    @property
    def net(self) -> int:
        return self.gross - self.contra


@dataclass
class StatementSection:
    key: str
    label_fr: str
    label_ar: str
    lines: list[StatementLine]

    @property
    def gross(self) -> int:
        return sum(line.gross for line in self.lines)

    @property
    def contra(self) -> int:
        return sum(line.contra for line in self.lines)

    @property
    def net(self) -> int:
        return sum(line.net for line in self.lines)


ACTIF = (
    ("actif_immobilise", "Actif immobilisé", "الأصول الثابتة", (
        Rubrique("21", "Immobilisations en non-valeurs", "التثبيتات بدون قيمة", ("21",), ("281",)),
        Rubrique("22", "Immobilisations incorporelles", "التثبيتات غير الملموسة", ("22",), ("282", "2920")),
        Rubrique("23", "Immobilisations corporelles", "التثبيتات الملموسة", ("23",), ("283", "2930")),
        Rubrique("24", "Immobilisations financières", "التثبيتات المالية", ("24", "25"), ("294", "295")),
        Rubrique("27", "Écarts de conversion - actif", "فوارق التحويل - أصول", ("27",)),
    )),
    ("actif_circulant", "Actif circulant (hors trésorerie)", "الأصول المتداولة (خارج الخزينة)", (
        Rubrique("31", "Stocks", "المخزونات", ("31",), ("391",)),
        Rubrique("34", "Créances de l'actif circulant", "حقوق الأصول المتداولة", ("34",), ("394",)),
        Rubrique("35", "Titres et valeurs de placement", "سندات وقيم التوظيف", ("35",), ("395",)),
        Rubrique("37", "Écarts de conversion - actif (éléments circulants)", "فوارق التحويل - أصول متداولة", ("37",)),
    )),
    ("tresorerie_actif", "Trésorerie - actif", "الخزينة - أصول", (
        Rubrique("51", "Trésorerie - actif", "الخزينة - أصول", ("51",), ("59",)),
    )),
)  # fmt: skip
PASSIF = (
    ("financement_permanent", "Financement permanent", "التمويل الدائم", (
        Rubrique("11", "Capitaux propres", "رؤوس الأموال الذاتية", ("11",)),
        Rubrique("13", "Capitaux propres assimilés", "رؤوس الأموال الذاتية المماثلة", ("13",)),
        Rubrique("14", "Dettes de financement", "ديون التمويل", ("14",)),
        Rubrique("15", "Provisions durables pour risques et charges", "مؤونات دائمة للمخاطر والتكاليف", ("15",)),
        Rubrique("17", "Écarts de conversion - passif", "فوارق التحويل - خصوم", ("17",)),
    )),
    ("passif_circulant", "Passif circulant (hors trésorerie)", "الخصوم المتداولة (خارج الخزينة)", (
        Rubrique("44", "Dettes du passif circulant", "ديون الخصوم المتداولة", ("44",)),
        Rubrique("45", "Autres provisions pour risques et charges", "مؤونات أخرى للمخاطر والتكاليف", ("45",)),
        Rubrique("47", "Écarts de conversion - passif (éléments circulants)", "فوارق التحويل - خصوم متداولة", ("47",)),
    )),
    ("tresorerie_passif", "Trésorerie - passif", "الخزينة - خصوم", (
        Rubrique("55", "Trésorerie - passif", "الخزينة - خصوم", ("55",)),
    )),
)  # fmt: skip
RESULT_LINE = ("119", "Résultat net de l'exercice (en cours)", "النتيجة الصافية للسنة المالية (جارية)")
#: accounts whose balance side decides where they go: a bank in credit is short-term financing, not cash
TREASURY_ACCOUNTS = ("514", "516", "517")

CPC = (
    ("I", "Produits d'exploitation", "عائدات الاستغلال", "credit", (
        Rubrique("711", "Ventes de marchandises (en l'état)", "مبيعات البضائع على حالها", ("711",)),
        Rubrique("712", "Ventes de biens et services produits", "مبيعات السلع والخدمات المنتجة", ("712",)),
        Rubrique("713", "Variation de stocks de produits", "تغير مخزون المنتجات", ("713",)),
        Rubrique("714", "Immobilisations produites par l'entreprise pour elle-même", "التثبيتات المنتجة من طرف المقاولة لنفسها", ("714",)),
        Rubrique("716", "Subventions d'exploitation", "إعانات الاستغلال", ("716",)),
        Rubrique("718", "Autres produits d'exploitation", "عائدات أخرى للاستغلال", ("718",)),
        Rubrique("719", "Reprises d'exploitation ; transferts de charges", "استردادات الاستغلال؛ تحويلات التكاليف", ("719",)),
    )),
    ("II", "Charges d'exploitation", "تكاليف الاستغلال", "debit", (
        Rubrique("611", "Achats revendus de marchandises", "مشتريات البضائع المعاد بيعها", ("611",)),
        Rubrique("612", "Achats consommés de matières et fournitures", "مشتريات المواد واللوازم المستهلكة", ("612",)),
        Rubrique("613", "Autres charges externes", "تكاليف خارجية أخرى", ("613", "614")),
        Rubrique("616", "Impôts et taxes", "الضرائب والرسوم", ("616",)),
        Rubrique("617", "Charges de personnel", "تكاليف المستخدمين", ("617",)),
        Rubrique("618", "Autres charges d'exploitation", "تكاليف أخرى للاستغلال", ("618",)),
        Rubrique("619", "Dotations d'exploitation", "مخصصات الاستغلال", ("619",)),
    )),
    ("IV", "Produits financiers", "العائدات المالية", "credit", (
        Rubrique("73", "Produits financiers", "العائدات المالية", ("73",)),
    )),
    ("V", "Charges financières", "التكاليف المالية", "debit", (
        Rubrique("63", "Charges financières", "التكاليف المالية", ("63",)),
    )),
    ("VIII", "Produits non courants", "العائدات غير الجارية", "credit", (
        Rubrique("75", "Produits non courants", "العائدات غير الجارية", ("75",)),
    )),
    ("IX", "Charges non courantes", "التكاليف غير الجارية", "debit", (
        Rubrique("65", "Charges non courantes", "التكاليف غير الجارية", ("65",)),
    )),
    ("XII", "Impôts sur les résultats", "الضرائب على النتائج", "debit", (
        Rubrique("67", "Impôts sur les résultats", "الضرائب على النتائج", ("67",)),
    )),
)  # fmt: skip


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in prefixes)


@dataclass
class Bilan:
    actif: list[StatementSection]
    passif: list[StatementSection]
    unclassified: dict[str, int]  # accounts of classes 1–5 that no rubrique takes (should stay empty)

    @property
    def total_actif(self) -> int:
        return sum(section.net for section in self.actif)

    @property
    def total_passif(self) -> int:
        return sum(section.net for section in self.passif)


def build_bilan(balances: Mapping[str, int]) -> Bilan:
    """Balance sheet at a date from cumulative balances (debit − credit) of every account, classes 1 to 7.

    The year's result (classes 6 and 7 not yet closed) shows as the last line of the capitaux propres.
    """
    actif = [
        StatementSection(k, fr, ar, [StatementLine(r.key, r.label_fr, r.label_ar) for r in rubs])
        for k, fr, ar, rubs in ACTIF
    ]
    passif = [
        StatementSection(k, fr, ar, [StatementLine(r.key, r.label_fr, r.label_ar) for r in rubs])
        for k, fr, ar, rubs in PASSIF
    ]
    actif_rubs = [
        (line, rub)
        for section, (_, _, _, rubs) in zip(actif, ACTIF, strict=True)
        for line, rub in zip(section.lines, rubs, strict=True)
    ]
    passif_rubs = [
        (line, rub)
        for section, (_, _, _, rubs) in zip(passif, PASSIF, strict=True)
        for line, rub in zip(section.lines, rubs, strict=True)
    ]
    treasury_actif = actif[2].lines[0]
    treasury_passif = passif[2].lines[0]
    result = 0
    unclassified: dict[str, int] = {}
    for code, amount in sorted(balances.items()):
        if amount == 0:
            continue
        if code[0] in "67":
            result -= amount  # credit − debit: a profit is positive
            continue
        if code.startswith(TREASURY_ACCOUNTS):  # cash and banks: debit → actif, credit → passif (overdraft)
            if amount >= 0:
                treasury_actif.gross += amount
                treasury_actif.accounts[code] = amount
            else:
                treasury_passif.gross += -amount
                treasury_passif.accounts[code] = -amount
            continue
        placed = False
        for line, rub in actif_rubs:
            if _matches(code, rub.contra_prefixes):
                line.contra += -amount  # contra accounts carry credit balances
                line.accounts[code] = -amount
                placed = True
                break
            if _matches(code, rub.prefixes):
                line.gross += amount
                line.accounts[code] = amount
                placed = True
                break
        if placed:
            continue
        for line, rub in passif_rubs:
            if _matches(code, rub.prefixes):
                line.gross += -amount
                line.accounts[code] = -amount
                placed = True
                break
        if not placed:
            unclassified[code] = amount
    equity = passif[0].lines[0]
    equity.gross += result
    if result:
        equity.accounts[RESULT_LINE[0]] = result
    return Bilan(actif=actif, passif=passif, unclassified=unclassified)


@dataclass
class Cpc:
    sections: dict[str, StatementSection]

    def total(self, key: str) -> int:
        return self.sections[key].net

    @property
    def operating_result(self) -> int:  # III = I − II
        return self.total("I") - self.total("II")

    @property
    def financial_result(self) -> int:  # VI = IV − V
        return self.total("IV") - self.total("V")

    @property
    def current_result(self) -> int:  # VII = III + VI
        return self.operating_result + self.financial_result

    @property
    def non_current_result(self) -> int:  # X = VIII − IX
        return self.total("VIII") - self.total("IX")

    @property
    def result_before_tax(self) -> int:  # XI = VII + X
        return self.current_result + self.non_current_result

    @property
    def net_result(self) -> int:  # XIII = XI − XII
        return self.result_before_tax - self.total("XII")


def build_cpc(movements: Mapping[str, int]) -> Cpc:
    """Income statement for a period from the period's movements (debit − credit) of class 6 and 7 accounts."""
    sections: dict[str, StatementSection] = {}
    rubs_by_line: list[tuple[StatementLine, Rubrique, str]] = []
    for key, fr, ar, side, rubs in CPC:
        lines = [StatementLine(r.key, r.label_fr, r.label_ar) for r in rubs]
        sections[key] = StatementSection(key, fr, ar, lines)
        rubs_by_line += [(line, rub, side) for line, rub in zip(lines, rubs, strict=True)]
    for code, amount in sorted(movements.items()):
        if code[0] not in "67" or amount == 0:
            continue
        for line, rub, side in rubs_by_line:
            if _matches(code, rub.prefixes):
                shown = -amount if side == "credit" else amount
                line.gross += shown
                line.accounts[code] = shown
                break
    return Cpc(sections=sections)
