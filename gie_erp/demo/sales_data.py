"""The demo's collective sales (issue 12): what each cooperative sells at the till, what it consigns at the past
fair, the GIE's channels and its three events (a past fair, a fair open today, the shop). Names in French and
Arabic; prices TTC; the VAT-registered honey cooperative's products carry their own rates."""

from datetime import date
from decimal import Decimal
from typing import Any

#: What each cooperative sells at the till (issue 12): (code, name, Arabic name, unit, price TTC, VAT code — None:
#: the art. 91 exemption of an exempt member —, pictogram, how often it sells: a relative weight). The VAT-registered
#: honey cooperative charges 10 % on honey and amlou and 20 % on its candles.
TILL_PRODUCTS: dict[str, list[tuple[str, str, str, str, str, str | None, str, int]]] = {
    "coop-zitoun-chefchaouen": [
        (
            "huile-1l",
            "Huile d'olive vierge extra — 1 l",
            "زيت الزيتون البكر الممتاز — 1 لتر",
            "l",
            "85.00",
            None,
            "oil",
            10,
        ),
        (
            "huile-5l",
            "Huile d'olive vierge extra — bidon de 5 l",
            "زيت الزيتون البكر الممتاز — قنينة 5 لتر",
            "piece",
            "390.00",
            None,
            "oil",
            3,
        ),
        ("olives-1kg", "Olives noires beldi — 1 kg", "زيتون أسود بلدي — 1 كغ", "kg", "45.00", None, "olives", 5),
        (
            "savon-beldi",
            "Savon beldi à l'huile d'olive",
            "الصابون البلدي بزيت الزيتون",
            "piece",
            "25.00",
            None,
            "soap",
            7,
        ),
    ],
    "coop-nahl-rif": [
        (
            "miel-thym-500",
            "Miel de thym du Rif — 500 g",
            "عسل الزعتر الريفي — 500 غ",
            "pot",
            "165.00",
            "reduit-10",
            "honey",
            8,
        ),
        (
            "miel-euphorbe-250",
            "Miel d'euphorbe — 250 g",
            "عسل الدغموس — 250 غ",
            "pot",
            "120.00",
            "reduit-10",
            "honey",
            5,
        ),
        (
            "amlou-250",
            "Amlou aux amandes et au miel — 250 g",
            "أملو باللوز والعسل — 250 غ",
            "pot",
            "70.00",
            "reduit-10",
            "amlou",
            7,
        ),
        (
            "bougies-cire",
            "Bougies en cire d'abeille — lot de 3",
            "شموع من شمع النحل — 3 قطع",
            "box",
            "90.00",
            "normal-20",
            "honey",
            3,
        ),
    ],
    "coop-nissae-ghafsai-couscous": [
        (
            "couscous-orge-1kg",
            "Couscous d'orge beldi — 1 kg",
            "كسكس الشعير البلدي — 1 كغ",
            "kg",
            "40.00",
            None,
            "couscous",
            9,
        ),
        ("berkoukech-1kg", "Berkoukech artisanal — 1 kg", "بركوكش تقليدي — 1 كغ", "kg", "45.00", None, "couscous", 5),
        (
            "chaariya-500",
            "Vermicelles roulées main (chaariya) — 500 g",
            "شعرية مفتولة يدويا — 500 غ",
            "piece",
            "30.00",
            None,
            "couscous",
            6,
        ),
    ],
    "coop-tissage-akhmas": [
        (
            "tapis-150x200",
            "Tapis Akhmas tissé main 150 × 200 cm",
            "زربية الأخماس منسوجة يدويا 150 × 200 سم",
            "piece",
            "1950.00",
            None,
            "carpet",
            1,
        ),
        ("coussin-brode", "Coussin tissé et brodé", "وسادة منسوجة ومطرزة", "piece", "180.00", None, "carpet", 4),
        ("handira", "Couverture en laine (handira)", "غطاء صوفي (حنديرة)", "piece", "520.00", None, "carpet", 2),
    ],
    "coop-fekhar-oued-laou": [
        (
            "tajine-30",
            "Tajine en terre cuite Ø 30 cm",
            "طاجين من الفخار قطر 30 سم",
            "piece",
            "120.00",
            None,
            "pottery",
            6,
        ),
        ("gsaa", "Plat à couscous (gsaa) émaillé", "قصعة الكسكس مزججة", "piece", "150.00", None, "pottery", 3),
        ("jarre", "Jarre à eau décorée", "جرة ماء مزخرفة", "piece", "250.00", None, "pottery", 2),
    ],
    "coop-jben-beni-arous": [
        ("jben-500", "Jben de chèvre frais — 500 g", "جبن الماعز الطري — 500 غ", "piece", "45.00", None, "cheese", 7),
        (
            "chevre-affine-1kg",
            "Fromage de chèvre affiné — 1 kg",
            "جبن الماعز المعتق — 1 كغ",
            "piece",
            "160.00",
            None,
            "cheese",
            3,
        ),
    ],
}

#: Products each member deposits at the past fair (consignment): how many more than it sells there, and how many
#: of those never come back (a broken tajine, borne by the cooperative).
FAIR_DEPOSITS: dict[str, dict[str, tuple[int, int]]] = {
    "coop-zitoun-chefchaouen": {"huile-5l": (6, 0)},
    "coop-tissage-akhmas": {"tapis-150x200": (3, 0), "coussin-brode": (5, 1), "handira": (4, 0)},
    "coop-fekhar-oued-laou": {"tajine-30": (8, 1), "gsaa": (5, 0), "jarre": (3, 0)},
}
#: Missing goods the GIE pays at the ticket price (the cushion vanished from the GIE's van); the others are the
#: cooperative's loss.
FAIR_PAID_BY_GIE = {("coop-tissage-akhmas", "coussin-brode")}

#: The GIE's channels (issue 12): fairs and salons at 10 % of the takings TTC, the shared shop at 12 %.
SALES_CHANNELS: list[dict[str, Any]] = [
    {
        "slug": "foires",
        "kind": "fair",
        "name_fr": "Foires et salons régionaux",
        "name_ar": "المعارض والصالونات الجهوية",
        "commission_rate": Decimal("0.1000"),
    },
    {
        "slug": "boutique",
        "kind": "shop",
        "name_fr": "Boutique partagée du GIE",
        "name_ar": "المتجر المشترك للمجموعة",
        "commission_rate": Decimal("0.1200"),
    },
]

#: The events: a past fair (every member, summarized and settled), a fair open today (``starts``/``ends``: days from
#: today) and the shop's permanent till. Stands in the members' order.
PAST_FAIR: dict[str, Any] = {
    "channel": "foires",
    "slug": "foire-terroir-tetouan-2026",
    "name_fr": "Foire régionale des produits du terroir — Tétouan 2026",
    "name_ar": "المعرض الجهوي لمنتجات المجال — تطوان 2026",
    "starts_on": date(2026, 9, 18),
    "ends_on": date(2026, 9, 27),
    "commune": "Tétouan",
    "place": "Esplanade de Feddan, Tétouan",
    "stands": ["A1", "A2", "A3", "B1", "B2", "B3"],
}
OPEN_FAIR: dict[str, Any] = {
    "channel": "foires",
    "slug": "salon-ess-tanger",
    "name_fr": "Salon régional de l'économie sociale et solidaire — Tanger",
    "name_ar": "المعرض الجهوي للاقتصاد الاجتماعي والتضامني — طنجة",
    "starts": -2,
    "ends": 5,
    "commune": "Tanger",
    "place": "Parc des expositions, route de Tétouan, Tanger",
    "members": [
        "coop-zitoun-chefchaouen",
        "coop-nahl-rif",
        "coop-nissae-ghafsai-couscous",
        "coop-tissage-akhmas",
        "coop-fekhar-oued-laou",
    ],
    "stands": ["12", "14", "15", "21", "22"],
}
SHOP: dict[str, Any] = {
    "channel": "boutique",
    "slug": "boutique-gie-tanger",
    "name_fr": "Boutique du GIE — Tanger",
    "name_ar": "متجر المجموعة — طنجة",
    "starts_on": date(2026, 1, 5),
    "commune": "Gueznaia",
    "place": "Zone d'activités Gueznaia, lot 14",
}
