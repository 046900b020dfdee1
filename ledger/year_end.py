"""The year's closing and opening entries of one book, from its balances before the close (pure).

- **Result** (closing journal CL, 31 December): every result account (classes 6, 7 and 8) is brought to zero against
  the year's net result, 1191 when a profit (credit), 1199 when a loss (debit);
- **Balance sheet** (CL, 31 December): every balance-sheet account (classes 1 to 5, the new result included) is
  brought to zero, partner by partner: after the close, nothing is left in the year;
- **Opening** (à-nouveaux, journal AN, 1 January): the balance-sheet entry's mirror: the new year starts from the
  old year's closing balances, and sums since the first entry never count a balance twice.

The balance table keeps the two journals in periods of their own (``ledger.models.balance_month``): the closed year's
figures to 31 December and its CPC never include the closing entries; a range that starts on 1 January starts after
the opening entries, whose amounts are the opening balance (``ledger.selectors.opening_centimes``).
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from gie_erp.core.money import from_centimes
from ledger.posting import JournalLine

PROFIT_ACCOUNT, LOSS_ACCOUNT = "1191", "1199"
BALANCE_SHEET_CLASSES = "12345"


@dataclass(frozen=True, slots=True)
class YearEndLines:
    result: tuple[JournalLine, ...]  # classes 6–8 to 1191/1199 (empty when no result account moved)
    balance_sheet: tuple[JournalLine, ...]  # classes 1–5 to zero
    opening: tuple[JournalLine, ...]  # the next year's opening balances
    net_result: int  # centimes: > 0 profit, < 0 loss


def _line(code: str, cents: int, partner: int, description: str) -> JournalLine:
    """A line that moves ``cents`` (debit − credit) on the account."""
    amount = from_centimes(abs(cents))
    if cents > 0:
        return JournalLine(code, debit=amount, partner_id=partner or None, description=description)
    return JournalLine(code, credit=amount, partner_id=partner or None, description=description)


def year_end_lines(balances: Mapping[tuple[str, int], int], *, year: int) -> YearEndLines:
    """``balances``: {(account code, partner id or 0): debit − credit centimes} through 31 December, before the close
    (every entry of the book since its first). The three entries' lines, each balanced."""
    result_lines: list[JournalLine] = []
    sheet: dict[tuple[str, int], int] = defaultdict(int)
    net_result = 0
    for (code, partner), cents in sorted(balances.items()):
        if not cents:
            continue
        if code[:1] in BALANCE_SHEET_CLASSES:
            sheet[(code, partner)] += cents
            continue
        result_lines.append(_line(code, -cents, partner, f"Solde {year}"))
        net_result -= cents  # credit − debit: a profit is positive
    if net_result:
        code = PROFIT_ACCOUNT if net_result > 0 else LOSS_ACCOUNT
        result_lines.append(_line(code, -net_result, 0, f"Résultat net {year}"))
        sheet[(code, 0)] -= net_result
    closing = tuple(_line(code, -cents, partner, "") for (code, partner), cents in sorted(sheet.items()) if cents)
    opening = tuple(_line(code, cents, partner, "") for (code, partner), cents in sorted(sheet.items()) if cents)
    return YearEndLines(tuple(result_lines), closing, opening, net_result)
