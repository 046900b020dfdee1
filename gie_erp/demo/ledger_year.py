"""A realistic year of entries for every demo book, posted through the bulk posting path (idempotent keys)."""

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from gie_erp.core.money import to_mad
from ledger import accounts as acc
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine

DEMO_YEAR = 2026
LAST_MONTH = 10  # complete months only: January to October
VAT_RATE = Decimal("0.20")
COMMISSION_RATE = Decimal("0.10")


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """A MAD amount between low and high dirhams, with centimes."""
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _line(
    code: str, *, debit: Decimal | None = None, credit: Decimal | None = None, partner: int | None = None
) -> JournalLine:
    return JournalLine(code, debit=debit or Decimal("0.00"), credit=credit or Decimal("0.00"), partner_id=partner)


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


def cooperative_year(book: Book, slug: str, gie_id: int, gie_book: Book, seed: int) -> Iterator[EntryDraft]:
    """A cooperative's year, and the GIE's side of every GIE↔member flow (fair sales in the member's name,
    commissions, settlements, service fees)."""
    rng = random.Random(f"{seed}:ledger:{slug}")
    member = _Drafts(book, slug)
    gie = _Drafts(gie_book, f"gie-for-{slug}")
    member_id = book.organization_id
    capital = _amount(rng, 20, 60) * 1000
    bank = capital - Decimal("8000.00")
    member.add(
        date(DEMO_YEAR, 1, 1), Journal.MISC, "Soldes d'ouverture", "AN-2026",
        _line(acc.BANK, debit=bank), _line(acc.CASH, debit=Decimal("3000.00")),
        _line("2332", debit=Decimal("5000.00")), _line(acc.SHARE_CAPITAL, credit=capital),
    )  # fmt: skip
    for month in range(1, LAST_MONTH + 1):
        for n in range(rng.randrange(3, 7)):  # cash sales at the cooperative's shop
            sale = _amount(rng, 80, 1500)
            member.add(date(DEMO_YEAR, month, rng.randrange(1, 28)), Journal.CASH, "Vente au comptant", f"TK-{month:02d}-{n + 1:03d}",
                       _line(acc.CASH, debit=sale), _line(acc.SALES_PRODUCED, credit=sale))  # fmt: skip
        invoice = _amount(rng, 1500, 9000)  # a sale on credit to a shop or hotel, paid the next month
        member.add(date(DEMO_YEAR, month, 10), Journal.SALES, "Vente à crédit — épicerie fine Tanger", f"F-{month:02d}-001",
                   _line(acc.CUSTOMERS, debit=invoice), _line(acc.SALES_PRODUCED, credit=invoice))  # fmt: skip
        member.add(date(DEMO_YEAR, month, 25), Journal.BANK, "Règlement client par virement", f"VIR-{month:02d}",
                   _line(acc.BANK, debit=invoice), _line(acc.CUSTOMERS, credit=invoice))  # fmt: skip
        purchase = _amount(rng, 600, 3500)  # raw materials (exempt cooperative: no VAT to recover)
        member.add(date(DEMO_YEAR, month, 5), Journal.PURCHASES, "Achat de matières premières", f"FA-{month:02d}",
                   _line("6121", debit=purchase), _line(acc.SUPPLIERS, credit=purchase))  # fmt: skip
        member.add(date(DEMO_YEAR, month, 20), Journal.BANK, "Paiement fournisseur", f"CHQ-{month:02d}",
                   _line(acc.SUPPLIERS, debit=purchase), _line(acc.BANK, credit=purchase))  # fmt: skip
        wages = _amount(rng, 1500, 4000)
        member.add(date(DEMO_YEAR, month, 28), Journal.BANK, "Salaires du mois", f"PAIE-{month:02d}",
                   _line(acc.WAGES, debit=wages), _line(acc.BANK, credit=wages))  # fmt: skip
        member.add(date(DEMO_YEAR, month, 28), Journal.BANK, "Frais bancaires", f"RB-{month:02d}",
                   _line("6147", debit=Decimal("25.00")), _line(acc.BANK, credit=Decimal("25.00")))  # fmt: skip
        if month in (3, 6, 9):  # a fair: the GIE sells in the member's name (mandate) and settles the net
            fair_day = date(DEMO_YEAR, month, 15)
            sales = _amount(rng, 2000, 12000)
            commission = to_mad(sales * COMMISSION_RATE)
            commission_vat = to_mad(commission * VAT_RATE)
            ref = f"FOIRE-{DEMO_YEAR}-{month:02d}"
            gie.add(fair_day, Journal.CASH, f"Ventes foire pour {slug}", ref,
                    _line(acc.CASH, debit=sales), _line(acc.PARTNER_CURRENT_CREDIT, credit=sales, partner=member_id))  # fmt: skip
            member.add(fair_day, Journal.SALES, "Ventes à la foire (mandat GIE)", ref,
                       _line(acc.SUNDRY_DEBTORS, debit=sales, partner=gie_id), _line(acc.SALES_PRODUCED, credit=sales))  # fmt: skip
            gie.add(fair_day, Journal.MISC, f"Commission foire {slug}", ref,
                    _line(acc.PARTNER_CURRENT_CREDIT, debit=commission + commission_vat, partner=member_id),
                    _line(acc.COMMISSIONS_RECEIVED, credit=commission, partner=member_id),
                    _line(acc.VAT_COLLECTED, credit=commission_vat))  # fmt: skip
            member.add(fair_day, Journal.MISC, "Commission du GIE sur la foire", ref,
                       _line(acc.INTERMEDIARY_FEES, debit=commission + commission_vat, partner=gie_id),
                       _line(acc.SUNDRY_DEBTORS, credit=commission + commission_vat, partner=gie_id))  # fmt: skip
            net = sales - commission - commission_vat
            settle_day = date(DEMO_YEAR, month, 25)
            gie.add(settle_day, Journal.BANK, f"Règlement foire à {slug}", f"REG-{ref}",
                    _line(acc.PARTNER_CURRENT_CREDIT, debit=net, partner=member_id), _line(acc.BANK, credit=net))  # fmt: skip
            member.add(settle_day, Journal.BANK, "Règlement du GIE (foire)", f"REG-{ref}",
                       _line(acc.BANK, debit=net), _line(acc.SUNDRY_DEBTORS, credit=net, partner=gie_id))  # fmt: skip
        if month in (3, 6, 9):  # quarterly shared-service fee, invoiced by the GIE with VAT
            fee = _amount(rng, 600, 1400)
            fee_vat = to_mad(fee * VAT_RATE)
            day = date(DEMO_YEAR, month, 30)
            ref = f"QP-{DEMO_YEAR}-T{month // 3}"
            gie.add(day, Journal.SALES, f"Quote-part services mutualisés {slug}", ref,
                    _line(acc.PARTNER_CURRENT_DEBIT, debit=fee + fee_vat, partner=member_id),
                    _line(acc.SERVICES_SOLD, credit=fee, partner=member_id), _line(acc.VAT_COLLECTED, credit=fee_vat))  # fmt: skip
            member.add(day, Journal.PURCHASES, "Quote-part des services du GIE", ref,
                       _line(acc.INTERMEDIARY_FEES, debit=fee + fee_vat, partner=gie_id),
                       _line(acc.SUNDRY_CREDITORS, credit=fee + fee_vat, partner=gie_id))  # fmt: skip
    yield from member.items
    yield from gie.items


def gie_year(gie_book: Book, seed: int) -> Iterator[EntryDraft]:
    """The GIE's own year: rent, staff, fair costs, an INDH subsidy."""
    rng = random.Random(f"{seed}:ledger:gie")
    gie = _Drafts(gie_book, "gie")
    gie.add(date(DEMO_YEAR, 1, 1), Journal.MISC, "Soldes d'ouverture", "AN-2026",
            _line(acc.BANK, debit=Decimal("150000.00")), _line(acc.SHARE_CAPITAL, credit=Decimal("150000.00")))  # fmt: skip
    for month in range(1, LAST_MONTH + 1):
        gie.add(date(DEMO_YEAR, month, 2), Journal.BANK, "Loyer du local", f"LOY-{month:02d}",
                _line("6131", debit=Decimal("4500.00")), _line(acc.BANK, credit=Decimal("4500.00")))  # fmt: skip
        staff = _amount(rng, 18000, 22000)
        gie.add(date(DEMO_YEAR, month, 28), Journal.BANK, "Salaires de l'équipe du GIE", f"PAIE-{month:02d}",
                _line(acc.WAGES, debit=staff), _line(acc.BANK, credit=staff))  # fmt: skip
        if month in (3, 6, 9):
            stand = _amount(rng, 6000, 15000)
            gie.add(date(DEMO_YEAR, month, 12), Journal.BANK, "Location des stands de foire", f"STAND-{month:02d}",
                    _line(acc.FAIRS_EXHIBITIONS, debit=stand), _line(acc.BANK, credit=stand))  # fmt: skip
    gie.add(date(DEMO_YEAR, 4, 15), Journal.BANK, "Subvention INDH — programme d'appui", "INDH-2026-017",
            _line(acc.BANK, debit=Decimal("60000.00")), _line(acc.OPERATING_SUBSIDIES, credit=Decimal("60000.00")))  # fmt: skip
    yield from gie.items
