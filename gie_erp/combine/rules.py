"""What makes a pair of accounts a valid elimination rule, with no database: the chart is passed in.

A side is a list of account-code prefixes (``61``, ``7124``…) and whose book it is (the GIE's, a member's, any). A
rule is refused, with the reason in words (``COMBINE_BAD_RULE``), when a prefix is not digits or starts no account
of the pooled chart, when a side is empty, when both sides are the GIE's (it has one book: nothing to pair), or when
the two sides share a prefix for the same kind of book (every amount would face itself).
"""

from collections.abc import Collection, Sequence

from django.utils.translation import gettext as _

from gie_erp.combine.eliminate import PairRule
from gie_erp.core.errors import DomainError, ErrorCode

MAX_PREFIX = 6  # the longest CGNC code of the chart
SIDE_FLAGS: dict[str, bool | None] = {"gie": True, "member": False, "any": None}


def parse_prefixes(text: str) -> tuple[str, ...]:
    """``"7124, 71272 7127"`` → ``("7124", "71272", "7127")``: spaces or commas between, duplicates dropped."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen.setdefault(part, None)
    return tuple(seen)


def _refuse(reason: str) -> DomainError:
    return DomainError(ErrorCode.COMBINE_BAD_RULE, reason=reason)


def check_side(prefixes: Sequence[str], chart_codes: Collection[str]) -> None:
    if not prefixes:
        raise _refuse(_("chaque côté compte au moins un préfixe de compte."))
    for prefix in prefixes:
        if not (prefix.isascii() and prefix.isdigit() and 1 <= len(prefix) <= MAX_PREFIX and prefix[0] in "12345678"):
            raise _refuse(_("« %(prefix)s » n'est pas un préfixe de compte (1 à 6 chiffres, classe 1 à 8).")
                          % {"prefix": prefix[:20]})  # fmt: skip
        if not any(code.startswith(prefix) for code in chart_codes):
            raise _refuse(_("aucun compte du plan ne commence par « %(prefix)s ».") % {"prefix": prefix})


def check_rule(
    *, left: Sequence[str], right: Sequence[str], left_book: str, right_book: str, chart_codes: Collection[str]
) -> PairRule:
    """The rule as ``eliminate`` reads it, or a DomainError saying what is wrong with it."""
    if left_book not in SIDE_FLAGS or right_book not in SIDE_FLAGS:
        raise _refuse(_("le livre de chaque côté est le GIE, un membre ou tout livre."))
    check_side(left, chart_codes)
    check_side(right, chart_codes)
    if left_book == right_book == "gie":
        raise _refuse(_("les deux côtés ne peuvent pas être le GIE : il n'a qu'un livre."))
    shared = sorted(set(left) & set(right))
    overlapping = left_book == right_book or "any" in (left_book, right_book)
    if shared and overlapping:
        raise _refuse(_("« %(prefix)s » est des deux côtés pour les mêmes livres.") % {"prefix": shared[0]})
    return PairRule("", "", "", tuple(left), tuple(right), SIDE_FLAGS[left_book], SIDE_FLAGS[right_book])
