"""The claims the database pairs with (``eliminate.database_claims``): the same rule and side as the pure path, per
account and case (index: 2 × the book is the GIE's + the partner is the GIE), as 2 × rule index + side."""

from gie_erp.combine.default_pairs import DEFAULT_RULES
from gie_erp.combine.eliminate import database_claims

INDEX = {rule.key: index for index, rule in enumerate(DEFAULT_RULES)}
NONE = -1


def claim(key: str, side: int) -> int:
    return 2 * INDEX[key] + side


def test_the_default_rules_as_the_database_reads_them() -> None:
    table = database_claims(DEFAULT_RULES, ["7127", "71272", "6146", "6136", "6121", "3421", "4411", "5141", "4455"])
    # the GIE's 7127 goes to the bench pair placed first, its 71272 to the revenue rule (longer prefix); a member's
    # 7127… are sales ("712"): towards a member or towards the GIE
    member_sales = (claim("member-trade", 0), claim("member-to-gie-sales", 0))
    assert table["7127"] == (*member_sales, claim("gie-accessory-sales", 0), NONE)
    assert table["71272"] == (*member_sales, claim("gie-revenue", 0), NONE)
    # a member's 6146 facing the GIE: the contribution pair ("6146" is longer than "61"); 6136: the revenue rule
    assert table["6146"] == (claim("member-trade", 1), claim("gie-accessory-sales", 1), claim("member-to-gie-sales", 1),
                             NONE)  # fmt: skip
    assert table["6136"] == (claim("member-trade", 1), claim("gie-revenue", 1), claim("member-to-gie-sales", 1), NONE)
    assert table["3421"] == (claim("member-trade-receivable", 0), claim("member-to-gie-receivable", 0),
                             claim("gie-customer", 0), NONE)  # fmt: skip
    assert table["4411"] == (claim("member-trade-receivable", 1), claim("gie-customer", 1),
                             claim("member-to-gie-receivable", 1), NONE)  # fmt: skip
    # treasury and VAT are never paired: not in the table at all
    assert "5141" not in table
    assert "4455" not in table
