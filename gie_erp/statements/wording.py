"""The fixed French / Arabic / Tamazight wording printed on the statement.

A bilingual page prints both languages at once whatever the reader's interface language, so these texts are data
reviewed as a whole (like the chart's account names), not gettext messages switched by the active language. The
Arabic and especially the Tamazight wording still need a native speaker's review with real members.
"""

from gie_erp.core.pdf import Words

TITLE = Words("Relevé mensuel de votre argent", "كشف الحساب الشهري", "ⴰⵙⵖⵍⵖ ⵏ ⵡⴰⵢⵢⵓⵔ")
MEMBER_NUMBER = Words("N° ICE", "رقم ICE")
GIE_NAME = Words("Votre GIE", "المجموعة ذات النفع الاقتصادي")
RECEIVED_TOTAL = Words("Total reçu", "مجموع المال الداخل", "ⵉⴷⵔⵉⵎⵏ ⵉⴽⵛⵎⵏ")
PAID_TOTAL = Words("Total payé ou dû", "مجموع المال الخارج أو المستحق", "ⵉⴷⵔⵉⵎⵏ ⵢⴼⴼⵖⵏ")
CURRENCY = Words("DH", "درهم")
DETAIL = Words("Détail des opérations du mois", "تفاصيل عمليات الشهر")
DATE = Words("Date", "التاريخ")
OPERATION = Words("Opération", "العملية")
AMOUNT = Words("Montant", "المبلغ")
TRANSFER = Words("Transfert (le total ne change pas)", "تحويل (المجموع لا يتغير)")
REST = Words("Autres opérations", "عمليات أخرى")
NO_OPERATION = Words("Aucune opération ce mois", "لا توجد عمليات هذا الشهر")
LEGEND_IN = Words("Argent reçu", "مال دخل", "ⵉⴷⵔⵉⵎⵏ ⵉⴽⵛⵎⵏ")
LEGEND_OUT = Words("Argent payé ou dû", "مال خرج أو مستحق", "ⵉⴷⵔⵉⵎⵏ ⵢⴼⴼⵖⵏ")
LEGEND_BALANCE = Words("Solde : votre argent", "الرصيد: مالكم", "ⵉⴷⵔⵉⵎⵏ ⵏⵏⵓⵏ")
LEGEND_TRANSFER = Words("Transfert", "تحويل")
BALANCE_MEANS = Words(
    "Votre argent = banque + caisse + ce que le GIE vous doit - ce que vous devez au GIE",
    "مالكم = البنك + الصندوق + ما تدين به المجموعة لكم - ما تدينون به للمجموعة",
)
SIGNATURE = Words("Signature ou empreinte (présidence)", "التوقيع أو البصمة (الرئاسة)")
STAMP = Words("Cachet du GIE", "خاتم المجموعة")
QR = Words("Ce relevé en ligne", "هذا الكشف على الإنترنت")
PAGE = Words("Relevé", "كشف")
