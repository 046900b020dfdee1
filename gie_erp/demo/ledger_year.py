"""The demo year's hand-written entries (January–October 2026): everything no document covers, posted through the
bulk posting path with idempotent keys (``demo:<book>:<n>``): the same seed gives the same drafts, so seeding twice
posts nothing new. Sales and services that are invoiced are not here: ``invoicing_year`` makes them documents through
``invoices.services`` (which post them), and ``month_end`` drafts what follows from those documents in the books.

The figures are meant to look like a real GIE of small cooperatives:

- **The GIE's money.** It opens with its members' contributions (the sum of their ``capital_share``) and last year's
  retained result, keeps a small petty cash (topped up from the bank each quarter) and pays its rent, staff,
  telephone, and September's regional fair (stands, banners, transport, its seller's per diem) from the bank.
- **The fair is not here.** Its tickets, their summaries in both books, the commission invoices and the settlements
  are made by the sales services (``sales_year``), as the GIE's own till would.
- **The GIE recharges its costs.** Every expense account here feeds one of the demo's cost pools (``fees``), billed
  to the members by the fee runs: the GIE's result is then the year's INDH grant, a surplus that the year-end zero
  result gives back to the members.
- **Cooperatives** sell in cash at their shop (tickets, no invoice), buy on credit, pay wages and bank their cash at
  month end (keeping a float). One of them (``vat_registered``) charges and recovers VAT; the others are exempt.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from gie_erp.core.money import ZERO, to_mad
from ledger import accounts as acc
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine

DEMO_YEAR = 2026
LAST_MONTH = 10  # complete months only: January to October
DEMO_TODAY = date(DEMO_YEAR, LAST_MONTH, 31)  # the demo's "today": every date of the demo is on or before it
VAT_RATE = Decimal("0.20")
FAIR_MONTHS = (9,)  # the regional fair whose stands the GIE rents (its sales: ``sales_year``)
QUARTER_ENDS = (3, 6, 9)  # quarters complete by the end of the demo year (October belongs to the fourth)
GIE_GRANT = Decimal("60000.00")  # INDH support programme for the year, received in April
GIE_RETAINED = Decimal("18000.00")  # report à nouveau from 2025
GIE_OPENING_CASH = Decimal("1200.00")
GIE_CASH_TOP_UP = Decimal("800.00")
COOP_CASH_FLOAT = Decimal("1500.00")  # cooperatives bank their cash above this at month end
SELLER_PER_DIEM = Decimal("300.00")  # the GIE's seller at the fair, per day

RETAINED_EARNINGS = "1161"  # report à nouveau (solde créditeur)
EQUIPMENT = "2332"
RAW_MATERIALS = "6121"
SUPPLIES = "6125"
RENT = "6131"
TELECOM = "6145"
PRINTED_ADS = "61442"  # échantillons, catalogues et imprimés publicitaires
TRANSPORT_ON_SALES = "61426"
MISSIONS = "61435"
BANK_FEES = "6147"


@dataclass(frozen=True, slots=True)
class DemoMember:
    """What the demo year needs to know about a cooperative."""

    book: Book
    slug: str
    capital_share: Decimal  # its contribution to the GIE
    vat_registered: bool


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """A MAD amount between low and high dirhams, with centimes."""
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _vat(net: Decimal) -> Decimal:
    return to_mad(net * VAT_RATE)


def _line(
    code: str, *, debit: Decimal | None = None, credit: Decimal | None = None, partner: int | None = None
) -> JournalLine:
    return JournalLine(code, debit=debit or ZERO, credit=credit or ZERO, partner_id=partner)


def _on(month: int, day: int) -> date:
    return date(DEMO_YEAR, month, day)


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


class _Drafts:
    """Collects drafts for one book with keys ``demo:<slug>:<n>``."""

    def __init__(self, book: Book, slug: str) -> None:
        self.book, self.slug, self.items, self.count = book, slug, list[EntryDraft](), 0

    def add(self, day: date, journal: Journal, text: str, ref: str, *lines: JournalLine) -> None:
        self.count += 1
        self.items.append(
            EntryDraft(
                book_id=self.book.pk,
                posted_on=day,
                journal=journal,
                description=text,
                source_ref=ref,
                idempotency_key=f"demo:{self.slug}:{self.count}",
                lines=lines,
            )
        )


def demo_year_drafts(*, gie_book: Book, members: Sequence[DemoMember], seed: int) -> list[EntryDraft]:
    """Every hand-written draft of the demo year: the GIE's own year and each member's."""
    gie = _Drafts(gie_book, "gie")
    _gie_own_year(gie, seed, capital=sum((m.capital_share for m in members), ZERO))
    drafts: list[EntryDraft] = []
    for member in members:
        drafts += _cooperative_year(member, seed)
    return [*gie.items, *drafts]


def _gie_own_year(gie: _Drafts, seed: int, *, capital: Decimal) -> None:
    """Opening balances, rent, staff, telephone, bank fees, petty cash, the fair's costs, the grant."""
    rng = random.Random(f"{seed}:ledger:gie")
    bank = capital + GIE_RETAINED - GIE_OPENING_CASH
    gie.add(date(DEMO_YEAR, 1, 1), Journal.MISC, "Soldes d'ouverture (apports des membres, report à nouveau)", "AN-2026",
            _line(acc.BANK, debit=bank), _line(acc.CASH, debit=GIE_OPENING_CASH),
            _line(acc.SHARE_CAPITAL, credit=capital), _line(RETAINED_EARNINGS, credit=GIE_RETAINED))  # fmt: skip
    for month in range(1, LAST_MONTH + 1):
        gie.add(_on(month, 2), Journal.BANK, "Loyer du local", f"LOY-{month:02d}",
                _line(RENT, debit=Decimal("1500.00")), _line(acc.BANK, credit=Decimal("1500.00")))  # fmt: skip
        if month in (1, 4, 7, 10):
            gie.add(_on(month, 3), Journal.BANK, "Retrait pour la caisse", f"RET-{month:02d}",
                    _line(acc.CASH, debit=GIE_CASH_TOP_UP), _line(acc.BANK, credit=GIE_CASH_TOP_UP))  # fmt: skip
        phone = _amount(rng, 250, 400)
        gie.add(_on(month, 10), Journal.BANK, "Téléphone et internet", f"TEL-{month:02d}",
                _line(TELECOM, debit=phone), _line(acc.BANK, credit=phone))  # fmt: skip
        supplies = _amount(rng, 60, 250)
        gie.add(_on(month, rng.randrange(4, 27)), Journal.CASH, "Fournitures de bureau", f"FB-{month:02d}",
                _line(SUPPLIES, debit=supplies), _line(acc.CASH, credit=supplies))  # fmt: skip
        if month in FAIR_MONTHS:
            stand = _amount(rng, 4500, 8000)
            gie.add(_on(month, 12), Journal.BANK, "Location des stands de foire", f"STAND-{month:02d}",
                    _line(acc.FAIRS_EXHIBITIONS, debit=stand), _line(acc.BANK, credit=stand))  # fmt: skip
            banners = _amount(rng, 1200, 1800)
            gie.add(_on(month, 15), Journal.BANK, "Banderoles et dépliants de la foire", f"PUB-FOIRE-{month:02d}",
                    _line(PRINTED_ADS, debit=banners), _line(acc.BANK, credit=banners))  # fmt: skip
            transport = _amount(rng, 2200, 3200)
            gie.add(_on(month, 17), Journal.BANK, "Transport des produits des membres à la foire",
                    f"TRANS-FOIRE-{month:02d}", _line(TRANSPORT_ON_SALES, debit=transport),
                    _line(acc.BANK, credit=transport))  # fmt: skip
            gie.add(_on(month, 28), Journal.BANK, "Indemnités de mission de la vendeuse (10 jours de foire)",
                    f"MISSION-FOIRE-{month:02d}", _line(MISSIONS, debit=SELLER_PER_DIEM * 10),
                    _line(acc.BANK, credit=SELLER_PER_DIEM * 10))  # fmt: skip
        staff = _amount(rng, 5000, 5400)
        gie.add(_on(month, 28), Journal.BANK, "Salaire de la coordinatrice du GIE", f"PAIE-{month:02d}",
                _line(acc.WAGES, debit=staff), _line(acc.BANK, credit=staff))  # fmt: skip
        gie.add(_on(month, 28), Journal.BANK, "Frais bancaires", f"RB-{month:02d}",
                _line(BANK_FEES, debit=Decimal("40.00")), _line(acc.BANK, credit=Decimal("40.00")))  # fmt: skip
        if month == 4:
            gie.add(_on(month, 15), Journal.BANK, "Subvention INDH — programme d'appui", "INDH-2026-017",
                    _line(acc.BANK, debit=GIE_GRANT), _line(acc.OPERATING_SUBSIDIES, credit=GIE_GRANT))  # fmt: skip


def _cooperative_year(member: DemoMember, seed: int) -> list[EntryDraft]:
    """A cooperative's year. Its invoiced sales are documents (``invoicing_year``), the GIE's fees too (``fees``),
    its fair sales the sales services' (``sales_year``)."""
    rng = random.Random(f"{seed}:ledger:{member.slug}")
    coop = _Drafts(member.book, member.slug)
    registered = member.vat_registered

    def priced(net: Decimal) -> tuple[Decimal, Decimal]:
        """(VAT, price paid) of a net amount: the VAT is charged or recovered only by a registered member."""
        vat = _vat(net) if registered else ZERO
        return vat, net + vat

    def sale_lines(debit_code: str, net: Decimal, partner: int | None = None) -> tuple[JournalLine, ...]:
        vat, gross = priced(net)
        lines = [_line(debit_code, debit=gross, partner=partner), _line(acc.SALES_PRODUCED, credit=net)]
        return (*lines, _line(acc.VAT_COLLECTED, credit=vat)) if vat else tuple(lines)

    capital = _amount(rng, 20, 60) * 1000
    cash = Decimal("3000.00")
    coop.add(date(DEMO_YEAR, 1, 1), Journal.MISC, "Soldes d'ouverture", "AN-2026",
             _line(acc.BANK, debit=capital - Decimal("8000.00")), _line(acc.CASH, debit=cash),
             _line(EQUIPMENT, debit=Decimal("5000.00")), _line(acc.SHARE_CAPITAL, credit=capital))  # fmt: skip
    for month in range(1, LAST_MONTH + 1):
        for n in range(rng.randrange(3, 7)):  # cash sales at the cooperative's shop
            lines = sale_lines(acc.CASH, _amount(rng, 80, 1500))
            cash += lines[0].debit
            coop.add(
                _on(month, rng.randrange(1, 28)),
                Journal.CASH,
                "Vente au comptant",
                f"TK-{month:02d}-{n + 1:03d}",
                *lines,
            )
        purchase = _amount(rng, 600, 3500)  # raw materials and packaging
        bought: tuple[JournalLine, ...]
        if registered:
            bought = (_line(RAW_MATERIALS, debit=purchase), _line(acc.VAT_RECOVERABLE_ON_CHARGES, debit=_vat(purchase)),
                      _line(acc.SUPPLIERS, credit=purchase + _vat(purchase)))  # fmt: skip
        else:  # an exempt cooperative's suppliers invoice it without VAT in the demo (small farmers, artisans)
            bought = (_line(RAW_MATERIALS, debit=purchase), _line(acc.SUPPLIERS, credit=purchase))
        coop.add(_on(month, 5), Journal.PURCHASES, "Achat de matières premières", f"FA-{month:02d}", *bought)
        coop.add(_on(month, 20), Journal.BANK, "Paiement fournisseur", f"CHQ-{month:02d}",
                 _line(acc.SUPPLIERS, debit=bought[-1].credit), _line(acc.BANK, credit=bought[-1].credit))  # fmt: skip
        wages = _amount(rng, 1500, 4000)
        coop.add(_on(month, 28), Journal.BANK, "Salaires du mois", f"PAIE-{month:02d}",
                 _line(acc.WAGES, debit=wages), _line(acc.BANK, credit=wages))  # fmt: skip
        coop.add(_on(month, 28), Journal.BANK, "Frais bancaires", f"RB-{month:02d}",
                 _line(BANK_FEES, debit=Decimal("25.00")), _line(acc.BANK, credit=Decimal("25.00")))  # fmt: skip
        deposit = to_mad(((cash - COOP_CASH_FLOAT) / 100).quantize(Decimal("1"), rounding=ROUND_DOWN) * 100)
        if deposit > 0:
            cash -= deposit
            coop.add(_on(month, 28), Journal.BANK, "Versement d'espèces à la banque", f"VERS-{month:02d}",
                     _line(acc.BANK, debit=deposit), _line(acc.CASH, credit=deposit))  # fmt: skip
    return coop.items
