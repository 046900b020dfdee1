"""The default pair list (DESIGN §7 and the bench's intercompany pairs, issue 15 point 6): data, seeded into the
pair table by the migration ``0002_default_pairs`` and then edited on the pair list's page. The rules' meaning (which
amount a side claims) is ``eliminate``'s."""

from gie_erp.combine.eliminate import PairRule


def _rule(key: str, fr: str, ar: str, left: tuple[str, ...], right: tuple[str, ...], sides: str) -> PairRule:
    """``sides`` names whose book each side is: "gie-member", "member-member" or "member-gie"."""
    flags = {"gie": True, "member": False}
    left_side, right_side = sides.split("-")
    return PairRule(key, fr, ar, left, right, flags[left_side], flags[right_side])


# The pair list of DESIGN §7 and the bench's intercompany pairs (issue 15 point 6). An amount goes to the side whose
# prefix is the longest match, ties to the rule placed first (see the module docstring); the flags also filter: a
# side's own flag applies to the amount's book, the other side's flag to its partner. The collisions, one by one:
# - member 6185·GIE and 6146·GIE also start with "61", the GIE-revenue rule's member side: "6185" and "6146" are
#   longer, so the loss transfer and the bench's contributions keep them; 6186 on the GIE's side likewise stays with
#   the profit transfer, not with "61" on the GIE's side of the member-to-GIE sales;
# - the GIE's 7127 is listed by both the bench pair 7127 ↔ 6146 and the GIE-revenue rule: same length, so the bench
#   pair is placed FIRST and takes it (else the member's 6146 would face nothing and both pairs would differ); the
#   GIE's 71272 (the fair commission, against the member's 6136) matches "71272" in the revenue rule, longer than the
#   bench's "7127", so it stays there; 71271, 71273… tie at "7127" and go to the bench pair (the app posts none);
# - the GIE-revenue rule also lists "711" and "712": the GIE's resale of goods to a member (own-name sale, group
#   purchasing) faces the member's 6111·GIE, which "61" puts in this rule; without them that 6111 would stand alone
#   here. They are shorter than 7124, 71272 and 7127, so they change nothing for those;
# - 3421 and 4411 appear in three rules (GIE customer ↔ member supplier, member ↔ member trade, member sells to the
#   GIE): the flags separate them (whose book, and whether the partner is the GIE), so order does not matter;
# - the member-to-GIE sales (own-name purchases: GIE Dr 6111·member / Cr 4411·member, member Dr 3421·GIE / Cr
#   7121·GIE; a consignment loss: GIE Dr 6111·member) are not in DESIGN §7's list but are reciprocal flows all the
#   same: they come last, after the member ↔ member trade they mirror.
DEFAULT_RULES: tuple[PairRule, ...] = (
    _rule(
        "gie-receivable",
        "Comptes courants débiteurs du GIE ↔ dettes des membres envers le GIE",
        "الحسابات الجارية المدينة للمجموعة ↔ ديون الأعضاء تجاه المجموعة",
        ("3463",),
        ("4488",),
        "gie-member",
    ),
    _rule(
        "gie-payable",
        "Comptes courants créditeurs du GIE ↔ créances des membres sur le GIE",
        "الحسابات الجارية الدائنة للمجموعة ↔ ذمم الأعضاء على المجموعة",
        ("4463",),
        ("3488",),
        "gie-member",
    ),
    _rule(
        "joint-operations-gie-debit",
        "Opérations faites en commun : débit chez le GIE ↔ crédit chez le membre",
        "العمليات المنجزة بصفة مشتركة: مدين لدى المجموعة ↔ دائن لدى العضو",
        ("3464",),
        ("4464",),
        "gie-member",
    ),
    _rule(
        "joint-operations-gie-credit",
        "Opérations faites en commun : crédit chez le GIE ↔ débit chez le membre",
        "العمليات المنجزة بصفة مشتركة: دائن لدى المجموعة ↔ مدين لدى العضو",
        ("4464",),
        ("3464",),
        "gie-member",
    ),
    _rule(
        "profit-transfer",
        "Bénéfices transférés par le GIE ↔ profits des membres sur opérations en commun",
        "الأرباح المحولة من المجموعة ↔ أرباح الأعضاء عن العمليات المشتركة",
        ("6186",),
        ("7185",),
        "gie-member",
    ),
    _rule(
        "loss-transfer",
        "Pertes transférées par le GIE ↔ pertes des membres sur opérations en commun",
        "الخسائر المحولة من المجموعة ↔ خسائر الأعضاء عن العمليات المشتركة",
        ("7186",),
        ("6185",),
        "gie-member",
    ),
    _rule(
        "gie-customer",
        "Clients du GIE ↔ fournisseurs des membres",
        "زبناء المجموعة ↔ موردو الأعضاء",
        ("3421",),
        ("4411",),
        "gie-member",
    ),
    _rule(
        "gie-accessory-sales",
        "Produits accessoires du GIE ↔ cotisations des membres",
        "المنتوجات الملحقة للمجموعة ↔ اشتراكات الأعضاء",
        ("7127",),
        ("6146",),
        "gie-member",
    ),
    _rule(
        "gie-revenue",
        "Produits du GIE facturés aux membres ↔ charges des membres envers le GIE",
        "إيرادات المجموعة المفوترة للأعضاء ↔ تكاليف الأعضاء تجاه المجموعة",
        ("7124", "71272", "7127", "7161", "711", "712"),
        ("61",),
        "gie-member",
    ),
    _rule(
        "member-trade-receivable",
        "Échanges entre membres : clients ↔ fournisseurs",
        "المبادلات بين الأعضاء: الزبناء ↔ الموردون",
        ("3421",),
        ("4411",),
        "member-member",
    ),
    _rule(
        "member-trade",
        "Échanges entre membres : ventes ↔ achats",
        "المبادلات بين الأعضاء: المبيعات ↔ المشتريات",
        ("711", "712"),
        ("61",),
        "member-member",
    ),
    _rule(
        "member-to-gie-receivable",
        "Ventes des membres au GIE : clients ↔ fournisseurs du GIE",
        "مبيعات الأعضاء للمجموعة: الزبناء ↔ موردو المجموعة",
        ("3421",),
        ("4411",),
        "member-gie",
    ),
    _rule(
        "member-to-gie-sales",
        "Ventes des membres au GIE ↔ achats du GIE",
        "مبيعات الأعضاء للمجموعة ↔ مشتريات المجموعة",
        ("711", "712"),
        ("61",),
        "member-gie",
    ),
)
