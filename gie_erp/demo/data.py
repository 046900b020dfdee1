"""The demo GIE: real-sounding cooperatives of the Tanger-Tétouan-Al Hoceima region, names in French and Arabic.

Legal identifiers are invented but shaped like real ones: IF (identifiant fiscal) 7–8 digits, TP (taxe
professionnelle) 8 digits, RC the register number with the city of its court (cooperatives register at the
tribunal de première instance of their seat). One cooperative is VAT-registered, the others are exempt.
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
