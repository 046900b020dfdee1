"""Build the pooled CGNC chart of accounts used by gie_erp (stdlib only).

Reads the read-only reference data in ``<repo>/../shared/data/cgnc`` (or the
directory given as first argument) and writes ``cgnc_chart.csv`` next to this
script with the columns::

    code,name_fr,name_ar,ar_reviewed,cgnc_class,role,balance_type,reconcilable

Sources merged, in order of precedence:

1. every account of classes 1-7 of Odoo's ``account.account-ma.csv``
   (French name from ``name@fr``, ``reconcile`` flag);
2. every leaf account of classes 1-7 of ``pcm.json`` not already present
   (after the code fixes listed in ``PCM_CODE_FIXES``; codes that are not
   plain digits, e.g. ``24/25``, are skipped);
3. the class-8 result leaves of ``pcm.json`` (8100 ... 8800);
4. the 4-digit CGNC comptes the flows and the benchmark need although Odoo
   only ships their 5-digit sub-accounts (``REQUIRED_CODES``).

Arabic names: ``AR_REVIEWED`` (hand-written, reviewed, ``ar_reviewed=1``)
wins; otherwise pcm.json's Arabic (machine-translated, ``ar_reviewed=0``);
otherwise the nearest pcm.json ancestor's Arabic with the French name noted.

Roles are django-ledger 0.8.5 role constants (django_ledger/io/roles.py);
the balance side of each role follows django-ledger's default chart
(django_ledger/models/coa_default.py): contra-asset roles are credit.

Usage::

    python ledger/chart/build_chart.py [CGNC_DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SRC = REPO_ROOT.parent / "shared" / "data" / "cgnc"
DEFAULT_OUT = Path(__file__).resolve().parent / "cgnc_chart.csv"

FIELDS = [
    "code",
    "name_fr",
    "name_ar",
    "ar_reviewed",
    "cgnc_class",
    "role",
    "balance_type",
    "reconcilable",
]

# --------------------------------------------------------------------------
# django-ledger 0.8.5 roles (copied from django_ledger/io/roles.py, VALID_ROLES
# minus the root_* roles) and their natural side (coa_default.py).
DEBIT_ROLES: frozenset[str] = frozenset(
    {
        "asset_ca_cash",
        "asset_ca_mkt_sec",
        "asset_ca_recv",
        "asset_ca_inv",
        "asset_ca_prepaid",
        "asset_ca_other",
        "asset_lti_notes",
        "asset_lti_land",
        "asset_lti_sec",
        "asset_ppe_build",
        "asset_ppe_equip",
        "asset_ppe_plant",
        "asset_ia",
        "asset_adjustment",
        "eq_dividends",
        "cogs_regular",
        "cogs_labor",
        "cogs_subcontract",
        "cogs_materials",
        "cogs_equipment",
        "cogs_other",
        "ex_regular",
        "ex_capital",
        "ex_depreciation",
        "ex_amortization",
        "ex_taxes",
        "ex_interest_st",
        "ex_interest",
        "ex_other",
    }
)
CREDIT_ROLES: frozenset[str] = frozenset(
    {
        # contra-assets
        "asset_ca_uncoll",
        "asset_ppe_build_accum_depr",
        "asset_ppe_equip_accum_depr",
        "asset_ppe_plant_depr",
        "asset_ia_accum_amort",
        # liabilities
        "lia_cl_acc_payable",
        "lia_cl_credit_line",
        "lia_cl_wages_payable",
        "lia_cl_taxes_payable",
        "lia_cl_int_payable",
        "lia_cl_st_notes_payable",
        "lia_cl_ltd_mat",
        "lia_cl_def_rev",
        "lia_cl_other",
        "lia_ltl_notes",
        "lia_ltl_bonds",
        "lia_ltl_mortgage",
        # equity and income
        "eq_capital",
        "eq_adjustment",
        "eq_stock_common",
        "eq_stock_preferred",
        "in_operational",
        "in_passive",
        "in_gain_loss",
        "in_interest",
        "in_other",
    }
)
VALID_ROLES: frozenset[str] = DEBIT_ROLES | CREDIT_ROLES

# CGNC prefix -> role; the longest matching prefix wins.
ROLE_RULES: dict[str, str] = {
    # Class 1 - financement permanent
    "1": "eq_adjustment",
    "111": "eq_capital",  # capital social / personnel (1119: negative)
    "14": "lia_ltl_notes",  # dettes de financement
    "141": "lia_ltl_bonds",  # emprunts obligataires
    "15": "lia_cl_other",  # provisions durables pour risques et charges
    "16": "lia_cl_other",  # comptes de liaison
    "1605": "asset_ca_other",  # liaison des établissements (debit, Odoo)
    "17": "lia_cl_other",  # écarts de conversion - passif
    # Class 2 - actif immobilisé
    "21": "asset_ia",  # immobilisations en non-valeurs
    "22": "asset_ia",  # immobilisations incorporelles
    "23": "asset_ppe_plant",
    "231": "asset_lti_land",  # terrains
    "232": "asset_ppe_build",  # constructions
    "233": "asset_ppe_equip",  # installations techniques, matériel, outillage
    "24": "asset_lti_notes",  # prêts et créances immobilisés
    "2481": "asset_lti_sec",  # titres immobilisés (droits de créance)
    "25": "asset_lti_sec",  # titres de participation / immobilisés
    "27": "asset_adjustment",  # écarts de conversion - actif
    "28": "asset_ppe_plant_depr",
    "281": "asset_ia_accum_amort",
    "282": "asset_ia_accum_amort",
    "2832": "asset_ppe_build_accum_depr",
    "2833": "asset_ppe_equip_accum_depr",
    "29": "asset_ppe_plant_depr",
    "292": "asset_ia_accum_amort",
    "2932": "asset_ppe_build_accum_depr",
    "2933": "asset_ppe_equip_accum_depr",
    "294": "asset_ca_uncoll",  # dépréciation des immobilisations financières
    "295": "asset_ca_uncoll",
    # Class 3 - actif circulant
    "3": "asset_ca_other",
    "31": "asset_ca_inv",
    "341": "asset_ca_prepaid",  # fournisseurs débiteurs, avances et acomptes
    "342": "asset_ca_recv",  # clients et comptes rattachés
    "3491": "asset_ca_prepaid",  # charges constatées d'avance
    "35": "asset_ca_mkt_sec",  # titres et valeurs de placement
    "39": "asset_ca_uncoll",  # provisions pour dépréciation
    # Class 4 - passif circulant
    "4": "lia_cl_other",
    "441": "lia_cl_acc_payable",
    "442": "lia_cl_def_rev",  # clients créditeurs, avances reçues
    "443": "lia_cl_wages_payable",
    "444": "lia_cl_wages_payable",  # organismes sociaux
    "445": "lia_cl_taxes_payable",
    "4491": "lia_cl_def_rev",  # produits constatés d'avance
    "4493": "lia_cl_int_payable",  # intérêts courus et non échus à payer
    # Class 5 - trésorerie
    "5": "asset_ca_cash",
    "55": "lia_cl_credit_line",
    "552": "lia_cl_st_notes_payable",  # crédits d'escompte
    "59": "asset_ca_uncoll",  # provisions pour dépréciation de trésorerie
    # Class 6 - charges
    "6": "ex_regular",
    "611": "cogs_regular",  # achats revendus de marchandises
    "612": "cogs_materials",  # achats consommés de matières et fournitures
    "6125": "ex_regular",  # achats non stockés (eau, électricité, bureau)
    "6126": "cogs_subcontract",  # travaux, études et prestations de services
    "616": "ex_taxes",
    "619": "ex_other",  # dotations d'exploitation aux provisions
    "6191": "ex_amortization",
    "6192": "ex_amortization",
    "6193": "ex_depreciation",
    "63": "ex_other",  # charges financières
    "631": "ex_interest",
    "6318": "ex_interest_st",
    "65": "ex_other",  # charges non courantes
    "67": "ex_taxes",  # impôts sur les résultats
    # Class 7 - produits
    "7": "in_operational",
    "714": "in_other",  # immobilisations produites pour elle-même
    "716": "in_other",  # subventions d'exploitation
    "718": "in_other",  # autres produits d'exploitation
    "719": "in_other",  # reprises d'exploitation, transferts de charges
    "73": "in_other",
    "732": "in_passive",  # produits des titres de participation
    "738": "in_interest",
    "7386": "in_other",  # escomptes obtenus
    "75": "in_other",
    "751": "in_gain_loss",  # produits des cessions d'immobilisations
    # Class 8 - résultats
    "8": "eq_adjustment",
}

# Preferred role_default account per role that django-ledger looks up by
# default (invoices, bills, sales, purchases).  Only used for warnings.
ROLE_DEFAULTS: dict[str, str] = {
    "asset_ca_cash": "5141",
    "asset_ca_recv": "3421",
    "asset_ca_prepaid": "3491",
    "asset_ca_inv": "3111",
    "lia_cl_acc_payable": "4411",
    "lia_cl_def_rev": "4421",
    "lia_cl_taxes_payable": "4455",
    "lia_cl_wages_payable": "4432",
    "eq_capital": "1111",
    "in_operational": "7121",
    "cogs_regular": "6111",
    "cogs_materials": "6121",
    "ex_regular": "6136",
}

# pcm.json typos corrected before merging.  The five slash codes fixed by a
# later pcm.json revision (24/25 -> 24, ...) are rubriques, not leaves; they
# are only used to find ancestors.
PCM_CODE_FIXES: dict[str, str] = {
    "24/25": "24",
    "294/295": "294",
    "613/614": "613",
    "0124/25": "0124",
    "0224/25": "0224",
    # under 2831 "Amortissements des terrains": Odoo has 28316/28318
    "28136": "28316",
    "28138": "28318",
}
# pcm.json leaves deliberately not added (duplicate of an Odoo account).
PCM_SKIP: dict[str, str] = {
    "24818": "same account as Odoo 24814 'Bons divers' (sub-account number differs)",
}

# 4-digit (and a few 5-digit) comptes needed by the flows (DOMAIN.md) and by
# bench/gen_ledger.py, even where Odoo only ships their sub-accounts.
FLOW_CODES = [
    "1111",
    "1140",
    "1191",
    "1199",
    "3421",
    "34218",
    "3455",
    "34552",
    "34553",
    "34554",
    "3463",
    "3464",
    "3488",
    "4411",
    "4455",
    "44551",
    "4463",
    "4464",
    "4488",
    "5141",
    "5161",
    "6111",
    "6136",
    "61443",
    "6171",
    "6185",
    "6186",
    "7111",
    "7121",
    "71211",
    "7124",
    "71243",
    "71272",
    "7161",
    "7185",
    "7197",
]
BENCH_CODES = [
    "1111",
    "1140",
    "1151",
    "1152",
    "1161",
    "1191",
    "1311",
    "1481",
    "1486",
    "1487",
    "2311",
    "2321",
    "2332",
    "2340",
    "2351",
    "2352",
    "2355",
    "2510",
    "2832",
    "2833",
    "2834",
    "2835",
    "3111",
    "3121",
    "3122",
    "3123",
    "3151",
    "3411",
    "3421",
    "3431",
    "3453",
    "3455",
    "3488",
    "3491",
    "4411",
    "4421",
    "4432",
    "4441",
    "4443",
    "4452",
    "4455",
    "4456",
    "4458",
    "4463",
    "4465",
    "4488",
    "4491",
    "5141",
    "5161",
    "6111",
    "6121",
    "6122",
    "6123",
    "6125",
    "6126",
    "6131",
    "6133",
    "6134",
    "6136",
    "6141",
    "6142",
    "6143",
    "6144",
    "6145",
    "6146",
    "6147",
    "6161",
    "6171",
    "6174",
    "6193",
    "6311",
    "6701",
    "7111",
    "7121",
    "7124",
    "7127",
    "7129",
    "7161",
    "7381",
    "7513",
]
REQUIRED_CODES: tuple[str, ...] = tuple(dict.fromkeys(FLOW_CODES + BENCH_CODES))

# Reviewed Arabic names (Moroccan accounting usage: الزبناء، التثبيتات،
# الاهتلاكات، الاستغلال، المؤونات، التلفيف...).  Shown on cooperative statements
# and the member portal.
AR_REVIEWED: dict[str, str] = {
    # Class 1
    "1111": "رأس المال الاجتماعي",
    "1140": "الاحتياطي القانوني",
    "1151": "الاحتياطيات النظامية أو التعاقدية",
    "1152": "الاحتياطيات الاختيارية",
    "1161": "المرحل من جديد (رصيد دائن)",
    "1191": "النتيجة الصافية للسنة المالية (رصيد دائن)",
    "1199": "النتيجة الصافية للسنة المالية (رصيد مدين)",
    "1311": "إعانات الاستثمار المحصل عليها",
    "1481": "قروض لدى مؤسسات الائتمان",
    "1486": "موردو التثبيتات",
    "1487": "الودائع والكفالات المحصل عليها",
    # Class 2
    "2311": "الأراضي العارية",
    "2321": "البنايات",
    "2332": "المعدات والأدوات",
    "2340": "معدات النقل",
    "2351": "أثاث المكتب",
    "2352": "معدات المكتب",
    "2355": "المعدات المعلوماتية",
    "2510": "سندات المساهمة",
    "24814": "سندات مختلفة",
    "2832": "اهتلاكات البنايات",
    "2833": "اهتلاكات التجهيزات التقنية والمعدات والأدوات",
    "2834": "اهتلاكات معدات النقل",
    "2835": "اهتلاكات الأثاث ومعدات المكتب والتهيئات المختلفة",
    # Class 3
    "3111": "البضائع",
    "3121": "المواد الأولية",
    "3122": "المواد واللوازم المستهلكة",
    "3123": "مواد التلفيف",
    "3151": "المنتجات التامة الصنع",
    "3411": "الموردون - تسبيقات ودفعات مقدمة على طلبيات الاستغلال",
    "3421": "الزبناء",
    "34211": "الزبناء - الصنف أ",
    "34212": "الزبناء - الصنف ب",
    "34218": "الزبناء (نقط البيع)",
    "3431": "تسبيقات ودفعات مقدمة للمستخدمين",
    "3453": "دفعات مقدمة على الضرائب على النتائج",
    "3455": "الدولة - الضريبة على القيمة المضافة القابلة للاسترجاع",
    "34551": "الدولة - الضريبة على القيمة المضافة القابلة للاسترجاع على التثبيتات",
    "34552": "الدولة - الضريبة على القيمة المضافة القابلة للاسترجاع على التكاليف",
    "34553": "الدولة - الضريبة على القيمة المضافة القابلة للاسترجاع على التثبيتات (حساب انتقالي)",
    "34554": "الدولة - الضريبة على القيمة المضافة القابلة للاسترجاع على التكاليف (حساب انتقالي)",
    "3463": "الحسابات الجارية للشركاء (أرصدة مدينة)",
    "3464": "الشركاء - العمليات المنجزة بصفة مشتركة",
    "3488": "مدينون مختلفون",
    "3491": "تكاليف مسجلة مسبقا",
    # Class 4
    "4411": "الموردون",
    "44111": "الموردون - الصنف أ",
    "44112": "الموردون - الصنف ب",
    "4421": "الزبناء - تسبيقات ودفعات مقدمة مقبوضة على طلبيات جارية",
    "4432": "الأجور المستحقة للمستخدمين",
    "4441": "الصندوق الوطني للضمان الاجتماعي",
    "4443": "صناديق التقاعد",
    "4452": "الدولة - الضرائب والرسوم والمبالغ المماثلة",
    "4455": "الدولة - الضريبة على القيمة المضافة المفوترة",
    "44551": "الدولة - الضريبة على القيمة المضافة المفوترة (حساب انتقالي)",
    "4456": "الدولة - الضريبة على القيمة المضافة المستحقة (حسب الإقرارات)",
    "4458": "الدولة - حسابات دائنة أخرى",
    "4463": "الحسابات الجارية للشركاء (أرصدة دائنة)",
    "4464": "الشركاء - العمليات المنجزة بصفة مشتركة",
    "4465": "الشركاء - الأرباح الواجب أداؤها",
    "4488": "دائنون مختلفون",
    "4491": "منتوجات مسجلة مسبقا",
    # Class 5
    "5141": "البنك (أرصدة مدينة)",
    "5143": "الخزينة العامة",
    "5146": "الشيكات البريدية",
    "5148": "مؤسسات مالية أخرى ومماثلة (أرصدة مدينة)",
    "5161": "الصندوق",
    "51611": "الصندوق المركزي",
    "51613": "صندوق الفرع أو الوكالة أ",
    "51614": "صندوق الفرع أو الوكالة ب",
    "5541": "البنك (أرصدة دائنة)",
    "5548": "مؤسسات مالية أخرى ومماثلة (أرصدة دائنة)",
    # Class 6
    "6111": "مشتريات البضائع",
    "6121": "مشتريات المواد الأولية",
    "6122": "مشتريات المواد واللوازم المستهلكة",
    "6123": "مشتريات مواد التلفيف",
    "6125": "مشتريات غير مخزنة من المواد واللوازم",
    "6126": "مشتريات الأشغال والدراسات والخدمات",
    "6131": "الأكرية والتكاليف الكرائية",
    "6133": "الصيانة والإصلاحات",
    "6134": "أقساط التأمين",
    "6136": "أجور الوسطاء والأتعاب",
    "61361": "العمولات والسمسرة",
    "61365": "الأتعاب",
    "61367": "مصاريف العقود والمنازعات",
    "6141": "الدراسات والأبحاث والتوثيق",
    "6142": "النقل",
    "6143": "التنقلات والمهمات والاستقبالات",
    "6144": "الإشهار والنشر والعلاقات العامة",
    "61443": "المعارض والأسواق",
    "6145": "مصاريف البريد والاتصالات",
    "6146": "الاشتراكات والهبات",
    "6147": "الخدمات البنكية",
    "6161": "الضرائب والرسوم المباشرة",
    "6171": "أجور المستخدمين",
    "61711": "الرواتب والأجور",
    "61712": "المنح والمكافآت",
    "61713": "التعويضات والامتيازات المختلفة",
    "61714": "عمولات المستخدمين",
    "61715": "أجور المتصرفين والمسيرين والشركاء",
    "6174": "التكاليف الاجتماعية",
    "6185": "خسائر عن العمليات المنجزة بصفة مشتركة",
    "6186": "تحويل أرباح العمليات المنجزة بصفة مشتركة",
    "6193": "مخصصات الاستغلال لاهتلاكات التثبيتات المادية",
    "61957": "مخصصات الاستغلال لمؤونات المخاطر والتكاليف المؤقتة",
    "6311": "فوائد القروض والديون",
    "63861": "فوارق الخزينة",
    "63862": "خصم عن الأداء المسبق",
    "63868": "خصومات أخرى ممنوحة",
    "6701": "الضرائب على الأرباح",
    # Class 7
    "7111": "مبيعات البضائع بالمغرب",
    "7121": "مبيعات السلع المنتجة بالمغرب",
    "71211": "مبيعات المنتجات التامة الصنع (إنتاج بالمغرب)",
    "71212": "مبيعات المنتجات الوسيطة (إنتاج بالمغرب)",
    "71217": "مبيعات المنتجات المتبقية (إنتاج بالمغرب)",
    "7124": "مبيعات الخدمات المنتجة بالمغرب",
    "71241": "الأشغال (إنتاج بالمغرب)",
    "71242": "الدراسات (إنتاج بالمغرب)",
    "71243": "تقديم الخدمات (إنتاج بالمغرب)",
    "7127": "مبيعات ومنتوجات ملحقة",
    "71272": "العمولات والسمسرة المقبوضة",
    "7129": "التخفيضات والتنزيلات والخصومات الممنوحة",
    "7161": "إعانات الاستغلال المحصل عليها برسم السنة المالية",
    "7185": "أرباح عن العمليات المنجزة بصفة مشتركة",
    "7197": "تحويلات تكاليف الاستغلال",
    "71971": "تحويلات تكاليف الاستغلال - مشتريات البضائع",
    "71972": "تحويلات تكاليف الاستغلال - المشتريات المستهلكة من المواد واللوازم",
    "71973": "تحويلات تكاليف الاستغلال - تكاليف خارجية أخرى",
    "71975": "تحويلات تكاليف الاستغلال - الضرائب والرسوم",
    "71976": "تحويلات تكاليف الاستغلال - تكاليف المستخدمين",
    "71978": "تحويلات تكاليف الاستغلال - تكاليف استغلال أخرى",
    "7381": "الفوائد والمنتوجات المماثلة",
    "73861": "فوارق الخزينة",
    "73862": "خصم عن الأداء المسبق",
    "73868": "خصومات أخرى محصل عليها",
    "7513": "منتوجات تفويت التثبيتات المادية",
}


@dataclass
class PcmNode:
    code: str
    name_fr: str
    name_ar: str
    parent: str | None
    is_leaf: bool


@dataclass
class Account:
    code: str
    name_fr: str
    name_ar: str
    ar_reviewed: bool
    role: str
    balance_type: str
    reconcilable: bool

    def row(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name_fr": self.name_fr,
            "name_ar": self.name_ar,
            "ar_reviewed": "1" if self.ar_reviewed else "0",
            "cgnc_class": self.code[0],
            "role": self.role,
            "balance_type": self.balance_type,
            "reconcilable": "1" if self.reconcilable else "0",
        }


def clean_text(text: str) -> str:
    """Normalise apostrophes and whitespace."""
    return " ".join(text.replace("\u2019", "'").split())


def load_pcm(path: Path) -> dict[str, PcmNode]:
    """Flatten pcm.json into code -> node, applying PCM_CODE_FIXES."""
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    nodes: dict[str, PcmNode] = {}

    def walk(item: dict[str, Any], parent: str | None) -> None:
        code = PCM_CODE_FIXES.get(item["code"], item["code"])
        tr: dict[str, str] = item.get("translations") or {}
        children: list[dict[str, Any]] = item.get("children") or []
        nodes[code] = PcmNode(
            code=code,
            name_fr=clean_text(tr.get("fr") or item["name"]),
            name_ar=clean_text(tr.get("ar") or ""),
            parent=parent,
            is_leaf=not children,
        )
        for child in children:
            walk(child, code)

    for top in data:
        walk(top, None)
    return nodes


def load_odoo(path: Path) -> dict[str, tuple[str, bool]]:
    """Odoo l10n_ma accounts: code -> (French name, reconcile)."""
    out: dict[str, tuple[str, bool]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            out[rec["code"].strip()] = (
                clean_text(rec["name@fr"]),
                rec["reconcile"].strip() == "True",
            )
    return out


def role_for(code: str) -> str:
    for size in range(len(code), 0, -1):
        role = ROLE_RULES.get(code[:size])
        if role is not None:
            return role
    raise ValueError(f"no role rule for {code}")


def arabic_for(code: str, name_fr: str, pcm: dict[str, PcmNode]) -> tuple[str, bool, str]:
    """Return (arabic name, reviewed, origin)."""
    if code in AR_REVIEWED:
        return AR_REVIEWED[code], True, "reviewed"
    node = pcm.get(code)
    if node is not None and node.name_ar:
        return node.name_ar, False, "pcm"
    for size in range(len(code) - 1, 0, -1):
        anc = pcm.get(code[:size])
        if anc is not None and anc.name_ar:
            # Odoo's "7140"-style codes are the rubrique itself (pcm "714").
            same = anc.name_fr.casefold() == name_fr.casefold()
            if same or code == anc.code + "0":
                return anc.name_ar, False, f"ancestor {anc.code}"
            return f"{anc.name_ar} ({name_fr})", False, f"ancestor {anc.code}"
    raise ValueError(f"no Arabic name for {code}")


def is_account_code(code: str) -> bool:
    return code.isdigit() and 4 <= len(code) <= 6


def build(src: Path) -> tuple[list[Account], list[str]]:
    pcm = load_pcm(src / "pcm.json")
    odoo = load_odoo(src / "account.account-ma.csv")
    notes: list[str] = []

    names: dict[str, str] = {}
    reconcile: dict[str, bool] = {}
    for code, (name, rec) in odoo.items():
        if code[0] in "1234567" and is_account_code(code):
            names[code] = name
            reconcile[code] = rec
    for code, node in pcm.items():
        if not (node.is_leaf and is_account_code(code)) or code in names:
            continue
        if code in PCM_SKIP:
            notes.append(f"skipped pcm {code}: {PCM_SKIP[code]}")
            continue
        if code[0] in "12345678":
            names[code] = node.name_fr
            reconcile[code] = False
    for code in REQUIRED_CODES:
        if code in names:
            continue
        required_node = pcm.get(code)
        if required_node is None:
            raise SystemExit(f"required code {code} missing from both sources")
        names[code] = required_node.name_fr
        reconcile[code] = False

    accounts: list[Account] = []
    for code in sorted(names):
        role = role_for(code)
        ar, reviewed, origin = arabic_for(code, names[code], pcm)
        if origin.startswith("ancestor"):
            notes.append(f"{code}: Arabic derived from {origin}")
        accounts.append(
            Account(
                code=code,
                name_fr=names[code],
                name_ar=ar,
                ar_reviewed=reviewed,
                role=role,
                balance_type="debit" if role in DEBIT_ROLES else "credit",
                reconcilable=reconcile[code] or code[:2] in ("34", "44"),
            )
        )
    unused = sorted(set(AR_REVIEWED) - set(names))
    if unused:
        notes.append(f"reviewed Arabic for codes not in chart: {unused}")
    return accounts, notes


def check(accounts: list[Account]) -> list[str]:
    """Hard checks; returns a list of errors (empty when valid)."""
    errors: list[str] = []
    codes = [a.code for a in accounts]
    dup = [c for c, n in Counter(codes).items() if n > 1]
    if dup:
        errors.append(f"duplicate codes: {dup}")
    for a in accounts:
        if not is_account_code(a.code):
            errors.append(f"{a.code}: bad code")
        if a.role not in VALID_ROLES:
            errors.append(f"{a.code}: invalid role {a.role}")
        side = "debit" if a.role in DEBIT_ROLES else "credit"
        if a.balance_type != side:
            errors.append(f"{a.code}: {a.balance_type} but {a.role} is {side}")
        if not a.name_ar.strip() or not a.name_fr.strip():
            errors.append(f"{a.code}: empty name")
    missing = sorted(set(REQUIRED_CODES) - set(codes))
    if missing:
        errors.append(f"required codes missing: {missing}")
    return errors


def role_default_warnings(accounts: list[Account]) -> list[str]:
    """Roles whose role_default account must be chosen by hand."""
    by_role: dict[str, list[str]] = {}
    for a in accounts:
        by_role.setdefault(a.role, []).append(a.code)
    warnings: list[str] = []
    for role, default in sorted(ROLE_DEFAULTS.items()):
        if default not in by_role.get(role, []):
            warnings.append(f"role_default {default} for {role} is not in the chart")
    undecided = sorted(role for role, codes in by_role.items() if role not in ROLE_DEFAULTS and len(codes) > 1)
    if undecided:
        warnings.append("no role_default chosen (several accounts): " + ", ".join(undecided))
    return warnings


def write_csv(accounts: list[Account], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for a in accounts:
            writer.writerow(a.row())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    accounts, notes = build(args.src)
    errors = check(accounts)
    for err in errors:
        print(f"ERROR {err}", file=sys.stderr)
    if errors:
        return 1
    write_csv(accounts, args.out)

    per_class = Counter(a.code[0] for a in accounts)
    print(f"wrote {len(accounts)} accounts to {args.out}")
    print("per class: " + ", ".join(f"{k}={v}" for k, v in sorted(per_class.items())))
    print(f"reviewed Arabic: {sum(a.ar_reviewed for a in accounts)}")
    for note in notes:
        print(f"note: {note}")
    for warning in role_default_warnings(accounts):
        print(f"warning: {warning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
