"""The demo GIE: real-sounding cooperatives of the Tanger-Tétouan-Al Hoceima region, names in French and Arabic.

Legal identifiers are invented but shaped like real ones: IF (identifiant fiscal) 7–8 digits, TP (taxe
professionnelle) 8 digits, RC the register number with the city of its court (cooperatives register at the
tribunal de première instance of their seat). One cooperative is VAT-registered, the others are exempt. The GIE's
customers (with ICEs whose check digits are computed) and what each cooperative sells are invented too.
"""

from datetime import date
from decimal import Decimal
from typing import Any

GIE: dict[str, Any] = {
    "slug": "ecp-tta",
    "legal_name_fr": "GIE Entreprise Collective Partagée Tanger-Tétouan-Al Hoceima",
    "legal_name_ar": "مجموعة النفع الاقتصادي المقاولة الجماعية المشتركة طنجة تطوان الحسيمة",
    "ice_stem": "0025431870000",
    "if_number": "50123456",
    "rc_number": "112233 Tanger",
    "tp_number": "51234567",
    "address": "Zone d'activités Gueznaia, lot 14",
    "commune": "Tanger",
    "vat_status": "registered",
    "vat_legal_reference": "",
    "sector": "services",
    "joined_on": date(2021, 3, 1),
    "capital_share": Decimal("0.00"),
    "phone": "0539 33 44 55",
}

COOPERATIVES: list[dict[str, Any]] = [
    {
        "slug": "coop-zitoun-chefchaouen",
        "address": "Douar Tizimezzane, route de Bab Taza",
        "if_number": "45871203",
        "tp_number": "52310478",
        "rc_number": "1873 Chefchaouen",
        "legal_name_fr": "Coopérative Zitoun Chefchaouen (huile d'olive)",
        "legal_name_ar": "تعاونية الزيتون شفشاون لزيت الزيتون",
        "ice_stem": "0019876540000",
        "commune": "Bab Taza",
        "sector": "argan_olive",
        "is_women_cooperative": False,
        "cooperators": 32,
        "capital_share": Decimal("5000.00"),
        "odco": "ODCO-TT-2014-0312",
    },
    {
        "slug": "coop-nahl-rif",
        "address": "Hay Al Massira, rue 3 n° 8, Targuist",
        "if_number": "45902317",
        "tp_number": "56201934",
        "rc_number": "612 Al Hoceima",
        "vat_status": "registered",  # sells to hotels and shops that recover the VAT it charges
        "vat_legal_reference": "Déclaration trimestrielle (CGI art. 108)",
        "legal_name_fr": "Coopérative Nahl Rif (miel de montagne)",
        "legal_name_ar": "تعاونية نحل الريف لعسل الجبل",
        "ice_stem": "0021654320000",
        "commune": "Targuist",
        "sector": "beekeeping",
        "is_women_cooperative": False,
        "cooperators": 18,
        "capital_share": Decimal("3000.00"),
        "odco": "ODCO-AH-2016-0087",
    },
    {
        "slug": "coop-nissae-ghafsai-couscous",
        "address": "Hay Al Qods, rue 7 n° 15, Ouezzane",
        "if_number": "4627715",
        "tp_number": "59104427",
        "rc_number": "941 Ouezzane",
        "legal_name_fr": "Coopérative féminine Al Baraka (couscous et pâtes artisanales)",
        "legal_name_ar": "التعاونية النسوية البركة للكسكس والعجائن التقليدية",
        "ice_stem": "0023345670000",
        "commune": "Ouezzane",
        "sector": "food",
        "is_women_cooperative": True,
        "cooperators": 27,
        "capital_share": Decimal("4000.00"),
        "odco": "ODCO-OZ-2017-0145",
    },
    {
        "slug": "coop-tissage-akhmas",
        "address": "Douar Akhmas, centre de Bab Berred",
        "if_number": "47034582",
        "tp_number": "52317790",
        "rc_number": "2265 Chefchaouen",
        "legal_name_fr": "Coopérative féminine Tissage Akhmas (tapis et tissage)",
        "legal_name_ar": "التعاونية النسوية نسيج الأخماس للزرابي والنسيج",
        "ice_stem": "0024412390000",
        "commune": "Bab Berred",
        "sector": "handicraft",
        "is_women_cooperative": True,
        "cooperators": 38,
        "capital_share": Decimal("2500.00"),
        "odco": "ODCO-TT-2018-0219",
    },
    {
        "slug": "coop-fekhar-oued-laou",
        "address": "Douar Fakhkharine, route côtière, Oued Laou",
        "if_number": "3318804",
        "tp_number": "51803362",
        "rc_number": "4518 Tétouan",
        "legal_name_fr": "Coopérative des potières d'Oued Laou (poterie)",
        "legal_name_ar": "تعاونية خزافات واد لاو للفخار",
        "ice_stem": "0026678120000",
        "commune": "Oued Laou",
        "sector": "handicraft",
        "is_women_cooperative": True,
        "cooperators": 15,
        "capital_share": Decimal("1500.00"),
        "odco": "ODCO-TE-2019-0033",
    },
    {
        "slug": "coop-jben-beni-arous",
        "address": "Douar Beni Arous, centre de Laouamra",
        "if_number": "40981156",
        "tp_number": "57402218",
        "rc_number": "1207 Larache",
        "legal_name_fr": "Coopérative laitière Beni Arous (fromage de chèvre)",
        "legal_name_ar": "تعاونية بني عروس للحليب وجبن الماعز",
        "ice_stem": "0027789010000",
        "commune": "Laouamra",
        "sector": "dairy",
        "is_women_cooperative": False,
        "cooperators": 24,
        "capital_share": Decimal("6000.00"),
        "odco": "ODCO-LA-2015-0178",
    },
]

#: How the GIE invoices (IssuerSettings): cash-basis VAT declared each quarter, and the account printed on every
#: document, its own and its members' (it collects for them). A RIB is 24 digits: bank, city, account, a mod-97 key.
GIE_INVOICING: dict[str, str] = {
    "vat_period": "quarter",
    "bank_account": "225 640 0012345678901234 74",
    "payment_means": "Virement sur le RIB du GIE, chèque à l'ordre du GIE ou espèces au bureau de Tanger",
}

#: The GIE's customers in the register (invoices.Party): three businesses of the region, with ICE stems (the two
#: check digits are computed), and one consumer. ``pays_after_days``: when the demo has them pay an invoice.
CUSTOMERS: list[dict[str, Any]] = [
    {
        "code": "hotel-perle-du-detroit",
        "kind": "business",
        "legal_name_fr": "Hôtel Perle du Détroit SARL",
        "legal_name_ar": "فندق لؤلؤة المضيق ش.م.م",
        "ice_stem": "0031245780000",
        "if_number": "15234871",
        "rc_number": "48213 Tanger",
        "address": "Avenue Mohammed VI, Malabata",
        "city": "Tanger",
        "phone": "0539941230",
        "payment_terms_days": 30,
        "pays_after_days": 15,
    },
    {
        "code": "epicerie-fine-bab-okla",
        "kind": "business",
        "legal_name_fr": "Épicerie fine Bab Okla SARL AU",
        "legal_name_ar": "بقالة باب العقلة للمواد الرفيعة ش.م.م ذات الشريك الوحيد",
        "ice_stem": "0028871350000",
        "if_number": "24518863",
        "rc_number": "21877 Tétouan",
        "address": "14, rue Mohammed Torres",
        "city": "Tétouan",
        "phone": "0539712288",
        "payment_terms_days": 30,
        "pays_after_days": 15,
    },
    {
        "code": "riad-ras-el-maa",
        "kind": "business",
        "legal_name_fr": "Riad Ras El Maa SARL",
        "legal_name_ar": "رياض رأس الماء ش.م.م",
        "ice_stem": "0030118460000",
        "if_number": "33871204",
        "rc_number": "3391 Chefchaouen",
        "address": "Derb Souika, médina",
        "city": "Chefchaouen",
        "phone": "0539986614",
        "payment_terms_days": 45,
        "pays_after_days": 40,
    },
    {
        "code": "leila-bennis",
        "kind": "consumer",
        "legal_name_fr": "Mme Leila Bennis",
        "legal_name_ar": "السيدة ليلى بنيس",
        "ice_stem": "",
        "address": "Résidence Al Andalous, appartement 12",
        "city": "Martil",
        "phone": "0661457820",
        "payment_terms_days": 0,
        "pays_after_days": 0,
    },
]

#: What each cooperative sells to the customers: (description, Arabic description, unit, price HT, VAT code; None:
#: the issuer's default, the art. 91 exemption for an exempt cooperative).
CATALOG: dict[str, list[tuple[str, str, str, str, str | None]]] = {
    "coop-zitoun-chefchaouen": [
        (
            "Huile d'olive extra vierge — bidon de 5 l",
            "زيت الزيتون البكر الممتاز — قنينة 5 لتر",
            "bidon",
            "360.00",
            None,
        ),
        ("Huile d'olive vierge — bouteille de 1 l", "زيت الزيتون البكر — قنينة 1 لتر", "bouteille", "78.00", None),
        ("Olives noires beldi — seau de 2 kg", "زيتون أسود بلدي — سطل 2 كغ", "seau", "95.00", None),
    ],
    "coop-nahl-rif": [
        ("Miel de thym du Rif — pot de 500 g", "عسل الزعتر الريفي — علبة 500 غ", "pot", "150.00", "reduit-10"),
        ("Miel d'euphorbe — pot de 250 g", "عسل الدغموس — علبة 250 غ", "pot", "110.00", "reduit-10"),
        (
            "Coffret cadeau, bougies en cire d'abeille",
            "علبة هدايا وشموع من شمع النحل",
            "coffret",
            "180.00",
            "normal-20",
        ),
    ],
    "coop-nissae-ghafsai-couscous": [
        ("Couscous d'orge beldi — sac de 1 kg", "كسكس الشعير البلدي — كيس 1 كغ", "sac", "36.00", None),
        ("Berkoukech artisanal — sac de 1 kg", "بركوكش تقليدي — كيس 1 كغ", "sac", "40.00", None),
        ("Vermicelles roulées main (chaariya) — 500 g", "شعرية مفتولة يدويا — 500 غ", "paquet", "28.00", None),
    ],
    "coop-tissage-akhmas": [
        ("Tapis Akhmas tissé main 150 × 200 cm", "زربية الأخماس منسوجة يدويا 150 × 200 سم", "pièce", "1850.00", None),
        ("Coussin tissé et brodé", "وسادة منسوجة ومطرزة", "pièce", "160.00", None),
        ("Couverture en laine (handira)", "غطاء صوفي (حنديرة)", "pièce", "480.00", None),
    ],
    "coop-fekhar-oued-laou": [
        ("Tajine en terre cuite Ø 30 cm", "طاجين من الفخار قطر 30 سم", "pièce", "110.00", None),
        ("Plat à couscous (gsaa) émaillé", "قصعة الكسكس مزججة", "pièce", "140.00", None),
        ("Jarre à eau décorée", "جرة ماء مزخرفة", "pièce", "230.00", None),
    ],
    "coop-jben-beni-arous": [
        ("Jben de chèvre frais — pièce de 500 g", "جبن الماعز الطري — قطعة 500 غ", "pièce", "42.00", None),
        ("Fromage de chèvre affiné — pièce de 1 kg", "جبن الماعز المعتق — قطعة 1 كغ", "pièce", "150.00", None),
    ],
}

#: Moroccan given names (French transliteration, Arabic) by gender; family names likewise.
FEMALE_NAMES = [
    ("Fatima", "فاطمة"),
    ("Khadija", "خديجة"),
    ("Aicha", "عائشة"),
    ("Zineb", "زينب"),
    ("Naima", "نعيمة"),
    ("Rachida", "رشيدة"),
    ("Malika", "مليكة"),
    ("Saida", "سعيدة"),
    ("Hafsa", "حفصة"),
    ("Meryem", "مريم"),
    ("Latifa", "لطيفة"),
    ("Amina", "أمينة"),
    ("Zohra", "زهرة"),
    ("Hanane", "حنان"),
    ("Karima", "كريمة"),
]
MALE_NAMES = [
    ("Mohamed", "محمد"),
    ("Ahmed", "أحمد"),
    ("Abdellah", "عبد الله"),
    ("Hassan", "حسن"),
    ("Mustapha", "مصطفى"),
    ("Said", "سعيد"),
    ("Youssef", "يوسف"),
    ("Rachid", "رشيد"),
    ("Abdelkader", "عبد القادر"),
    ("Omar", "عمر"),
    ("Driss", "إدريس"),
    ("Brahim", "إبراهيم"),
    ("Lahcen", "الحسن"),
    ("Karim", "كريم"),
    ("Hamid", "حميد"),
]
FAMILY_NAMES = [
    ("El Amrani", "العمراني"),
    ("Boukhari", "البخاري"),
    ("El Khattabi", "الخطابي"),
    ("Azzouzi", "العزوزي"),
    ("Benali", "بنعلي"),
    ("El Ouazzani", "الوزاني"),
    ("Chaoui", "الشاوي"),
    ("Riffi", "الريفي"),
    ("El Bakkali", "البقالي"),
    ("Akhmisse", "أخميس"),
    ("Tazi", "التازي"),
    ("El Harrak", "الحراق"),
    ("Aharrar", "أحرار"),
    ("Bouzidi", "البوزيدي"),
    ("Ghailan", "غيلان"),
    ("El Hamdaoui", "الحمداوي"),
]
CIN_PREFIXES = ["K", "L", "LC", "LF", "R", "KB"]

#: One login per role; representatives get one per cooperative (the first is printed).
DEMO_PASSWORD = "demo-gie-2026"
STAFF_USERS = [
    ("admin", "gie_admin", "Nadia", "Bennani"),
    ("comptable", "gie_accountant", "Youssef", "El Idrissi"),
    ("auditeur", "auditor", "Samir", "Lahlou"),
    ("vendeur", "fair_seller", "Imane", "Rifi"),
    ("formatrice", "trainer", "Salma", "Tahiri"),
]
