"""The demo's training catalogue: themes, courses in French and Arabic, the outside trainer, the funders and their
grants (data only; ``gie_erp.demo.training`` makes them through the services)."""

from datetime import date
from decimal import Decimal
from typing import Any

from invoices.services import EXEMPT_CODE

D = Decimal

THEMES = [
    ("gestion", "Gestion", "التسيير"),
    ("comptabilite", "Comptabilité", "المحاسبة"),
    ("marketing", "Marketing et vente", "التسويق والبيع"),
    ("hygiene-qualite", "Hygiène et qualité", "النظافة والجودة"),
    ("alphabetisation", "Alphabétisation", "محو الأمية"),
]

COURSES: list[dict[str, Any]] = [
    {
        "slug": "gestion-cooperative",
        "theme": "gestion",
        "title_fr": "Gérer sa coopérative : rôles, assemblées et registres",
        "title_ar": "تسيير التعاونية: الأدوار والجموع العامة والسجلات",
        "description_fr": "Le fonctionnement d'une coopérative selon la loi 112-12 : le conseil d'administration, "
        "l'assemblée générale, les registres et les décisions à consigner.",
        "description_ar": "سير التعاونية حسب القانون 112.12: مجلس الإدارة والجمع العام والسجلات والقرارات الواجب "
        "تدوينها.",
        "objectives_fr": "Préparer et tenir une assemblée générale ; tenir le registre des coopérateurs ; "
        "répartir les rôles au conseil.",
        "objectives_ar": "تحضير الجمع العام وعقده؛ مسك سجل المتعاونين؛ توزيع الأدوار داخل المجلس.",
        "duration_hours": D("15.0"),
        "pictogram": "building",
    },
    {
        "slug": "comptabilite-simplifiee",
        "theme": "comptabilite",
        "title_fr": "Tenir la comptabilité simplifiée de sa coopérative",
        "title_ar": "مسك المحاسبة المبسطة للتعاونية",
        "description_fr": "Le cahier de caisse, les pièces justificatives, le rapprochement bancaire et ce que le "
        "GIE attend chaque mois pour tenir les livres.",
        "description_ar": "دفتر الصندوق والوثائق المثبتة والمقاربة البنكية وما ينتظره التجمع كل شهر لمسك الحسابات.",
        "objectives_fr": "Enregistrer chaque recette et dépense avec sa pièce ; rapprocher la banque ; lire le "
        "relevé mensuel du GIE.",
        "objectives_ar": "تسجيل كل مدخول ومصروف بوثيقته؛ مقاربة الحساب البنكي؛ قراءة الكشف الشهري للتجمع.",
        "duration_hours": D("15.0"),
        "pictogram": "coins",
    },
    {
        "slug": "prix-de-revient",
        "theme": "comptabilite",
        "title_fr": "Calculer son prix de revient et fixer ses prix",
        "title_ar": "حساب سعر التكلفة وتحديد الأثمان",
        "description_fr": "Matières, emballage, temps de travail et frais communs : ce que coûte un produit, et le "
        "prix de vente qui couvre la commission d'une foire.",
        "description_ar": "المواد والتلفيف ووقت العمل والمصاريف المشتركة: كم يكلف المنتوج، وثمن البيع الذي يغطي "
        "عمولة المعرض.",
        "objectives_fr": "Calculer le prix de revient d'un produit ; fixer un prix de gros et un prix de foire.",
        "objectives_ar": "حساب سعر تكلفة منتوج؛ تحديد ثمن البيع بالجملة وثمن المعرض.",
        "duration_hours": D("10.0"),
        "pictogram": "receipt",
    },
    {
        "slug": "vendre-foires-en-ligne",
        "theme": "marketing",
        "title_fr": "Vendre sur les foires et en ligne",
        "title_ar": "البيع في المعارض وعبر الإنترنت",
        "description_fr": "Présenter un stand, raconter son produit, photographier et vendre par téléphone et sur "
        "les réseaux sociaux.",
        "description_ar": "تقديم الرواق والتعريف بالمنتوج وتصويره والبيع عبر الهاتف ومواقع التواصل الاجتماعي.",
        "objectives_fr": "Tenir un stand ; prendre de bonnes photos ; répondre à une commande en ligne.",
        "objectives_ar": "تسيير رواق؛ التقاط صور جيدة؛ الرد على طلبية عبر الإنترنت.",
        "duration_hours": D("10.0"),
        "pictogram": "cart",
    },
    {
        "slug": "hygiene-onssa",
        "theme": "hygiene-qualite",
        "title_fr": "Hygiène des aliments et agrément ONSSA",
        "title_ar": "نظافة المواد الغذائية وترخيص المكتب الوطني للسلامة الصحية",
        "description_fr": "Les bonnes pratiques d'hygiène à l'atelier, la traçabilité des lots et le dossier "
        "d'autorisation sanitaire de l'ONSSA.",
        "description_ar": "الممارسات الجيدة للنظافة في الورشة وتتبع الدفعات وملف الترخيص الصحي لدى المكتب الوطني "
        "للسلامة الصحية.",
        "objectives_fr": "Appliquer les règles d'hygiène ; tenir un registre de lots ; monter le dossier ONSSA.",
        "objectives_ar": "تطبيق قواعد النظافة؛ مسك سجل الدفعات؛ إعداد ملف الترخيص.",
        "duration_hours": D("15.0"),
        "pictogram": "basket",
    },
    {
        "slug": "alphabetisation-fonctionnelle",
        "theme": "alphabetisation",
        "title_fr": "Alphabétisation fonctionnelle : lire, écrire et compter au quotidien (module 1)",
        "title_ar": "محو الأمية الوظيفي: القراءة والكتابة والحساب في الحياة اليومية (الوحدة 1)",
        "description_fr": "Lire une facture, un bon de livraison et un relevé ; écrire son nom et une quantité ; "
        "compter une recette.",
        "description_ar": "قراءة فاتورة ووصل تسليم وكشف حساب؛ كتابة الاسم والكمية؛ حساب المداخيل.",
        "objectives_fr": "Reconnaître les chiffres et les mots d'une facture ; signer ; vérifier un rendu de monnaie.",
        "objectives_ar": "التعرف على الأرقام والكلمات في الفاتورة؛ التوقيع؛ التحقق من رد الباقي.",
        "duration_hours": D("15.0"),
        "pictogram": "cap",
        "vat_code": EXEMPT_CODE,  # CGI art. 91: literacy training, exempt
    },
]

OUTSIDE_TRAINER = {"name": "Rachid Benjelloun", "phone": "0661457203"}  # a food-safety consultant

FUNDERS: list[dict[str, Any]] = [
    {
        "slug": "indh",
        "name_fr": "INDH — Initiative nationale pour le développement humain",
        "name_ar": "المبادرة الوطنية للتنمية البشرية",
        "grant": {
            "reference": "INDH-TTA-2026",
            "title_fr": "Programme d'amélioration du revenu et d'inclusion des jeunes — volet formation 2026",
            "title_ar": "برنامج تحسين الدخل والإدماج الاقتصادي للشباب — شق التكوين 2026",
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
        },
    },
    {
        "slug": "region-tta",
        "name_fr": "Région Tanger-Tétouan-Al Hoceima",
        "name_ar": "جهة طنجة تطوان الحسيمة",
        "grant": {
            "reference": "RTTA-ESS-2026-07",
            "title_fr": "Convention d'appui à l'économie sociale et solidaire 2026",
            "title_ar": "اتفاقية دعم الاقتصاد الاجتماعي والتضامني 2026",
            "starts_on": date(2026, 3, 1),
            "ends_on": date(2027, 2, 28),
        },
    },
    {
        "slug": "association-tanmia-rif",
        "name_fr": "Association Tanmia Rif pour le développement local",
        "name_ar": "جمعية تنمية الريف للتنمية المحلية",
        "grant": None,
    },
]
