"""``invoices_export``: the columns and signs on a small world worked out by hand, refusals, formula-safe cells; and
on the demo year, totals that equal the books to the centime."""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gie_erp.demo.ledger_year import DEMO_TODAY, DEMO_YEAR
from gie_erp.demo.seed import seed_demo
from invoices.models import Document, Party
from invoices.payments import payment_record
from invoices.postings import revenue_account
from invoices.services import credit_note_create, document_save_draft, document_validate
from ledger import accounts
from ledger.models import Book, Entry
from ledger.selectors import general_ledger
from tests.invoices.conftest import TODAY, D, line

pytestmark = pytest.mark.django_db


def export(tmp_path: Path, start: str = "2026-01-01", end: str = "2026-12-31") -> list[dict[str, str]]:
    path = tmp_path / "documents.csv"
    call_command("invoices_export", "--from", start, "--to", end, "--csv", str(path))
    with path.open(encoding="utf-8-sig", newline="") as handle:  # the BOM is for spreadsheets
        return list(csv.DictReader(handle))


def test_one_row_per_document_with_a_column_pair_per_rate_and_credit_notes_negative(
    world: dict[str, Any], tmp_path: Path
) -> None:
    registered, hotel = world["registered"], world["hotel"]
    invoice = document_save_draft(
        issuer=registered,
        customer=hotel,
        issued_on=date(2026, 10, 5),
        lines=[
            line("Miel de thym", "1", "10.125", "normal-20"),  # 10.13 HT, 2.03 VAT (half-up per line)
            line("Pollen", "2", "6.125", "reduit-10"),  # 12.25 HT, 1.23 VAT
            line("Huile d'olive artisanale", "3", "40.00", "exonere-91"),  # 120.00 HT, no VAT
        ],
    )
    invoice = document_validate(document_id=invoice.pk, today=TODAY)
    credit = credit_note_create(
        invoice=invoice, issued_on=date(2026, 10, 6), lines=[line("Pollen", "1", "6.125", "reduit-10")]
    )  # 6.13 HT, 0.61 VAT (0.613 → 0.61): 6.74 TTC
    document_validate(document_id=credit.pk, today=TODAY)
    payment_record(
        payer=hotel,
        collected_by=registered,
        documents=[invoice],
        received_on=date(2026, 10, 7),
        method="transfer",
        amount=D("100.00"),
        idempotency_key="x1",
        today=TODAY,
    )
    draft = document_save_draft(
        issuer=registered, customer=hotel, issued_on=date(2026, 10, 8), lines=[line("M", "1", "1")]
    )
    rows = export(tmp_path)
    assert Document.objects.get(pk=draft.pk).is_draft  # drafts are not exported
    assert list(rows[0]) == [
        "issuer", "type", "number", "date", "customer", "customer_ice",
        "ht_20", "vat_20", "ht_10", "vat_10", "ht_exempt",
        "total_ht", "total_vat", "ttc", "paid", "left_to_pay",
    ]  # fmt: skip
    assert [list(row.values()) for row in rows] == [
        ["coop-miel", "invoice", "FA-2026-00001", "2026-10-05", "Hôtel Continental", hotel.ice,
         "10.13", "2.03", "12.25", "1.23", "120.00", "142.38", "3.26", "145.64", "100.00", "38.90"],
        ["coop-miel", "credit_note", "AV-2026-00001", "2026-10-06", "Hôtel Continental", hotel.ice,
         "0.00", "0.00", "-6.13", "-0.61", "0.00", "-6.13", "-0.61", "-6.74", "0.00", "0.00"],
    ]  # fmt: skip  # 145.64 − 6.74 credited − 100.00 paid = 38.90 left
    assert export(tmp_path, "2026-10-06", "2026-10-06")[0]["number"] == "AV-2026-00001"  # the period, both ends


def test_a_customer_name_that_looks_like_a_formula_is_written_as_text(world: dict[str, Any], tmp_path: Path) -> None:
    evil = Party.objects.create(
        code="evil", kind=Party.Kind.CONSUMER, legal_name_fr='=HYPERLINK("http://x","y")', address="Tanger"
    )
    draft = document_save_draft(
        issuer=world["gie"], customer=evil, issued_on=date(2026, 10, 5), lines=[line("Conseil", "1", "10.00")]
    )
    document_validate(document_id=draft.pk, today=TODAY)
    (row,) = export(tmp_path)
    assert row["customer"] == '\'=HYPERLINK("http://x","y")'
    assert (row["ht_20"], row["vat_20"], row["ttc"]) == ("10.00", "2.00", "12.00")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2026-12-31", "--from must be a date as YYYY-MM-DD"),
        ("2026-01-01", "31/12/2026", "--to must be a date as YYYY-MM-DD"),
        ("2026-12-31", "2026-01-01", "--from (2026-12-31) is after --to (2026-01-01)"),
    ],
)
def test_bad_arguments_are_refused_clearly(tmp_path: Path, start: str, end: str, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("invoices_export", "--from", start, "--to", end, "--csv", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()


def test_an_unwritable_path_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "invoices_export", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", str(tmp_path / "no" / "x.csv")
        )
    with pytest.raises(CommandError, match="required"):
        call_command("invoices_export", "--from", "2026-01-01", "--to", "2026-12-31")


def _amount(text: str) -> Decimal:
    return Decimal(text)


def _document_movements(book: Book, codes: set[str]) -> dict[str, Decimal]:
    """Credit − debit per account over the entries the documents of this book posted as issuer
    (``invoice:<pk>:issuer``, ``credit_note:<pk>:issuer``), from the general ledger of each account."""
    keys = dict(Entry.objects.filter(book=book).values_list("pk", "idempotency_key"))
    moved: dict[str, Decimal] = defaultdict(Decimal)
    for code in codes:
        _opening, lines = general_ledger(book=book, code=code, start=date(DEMO_YEAR, 1, 1), end=DEMO_TODAY)
        for ledger_line in lines:
            key = keys[ledger_line.entry_id]
            if key.startswith(("invoice:", "credit_note:")) and key.endswith(":issuer"):
                moved[code] += ledger_line.credit - ledger_line.debit
    return moved


def _payment_vat_moves(book: Book) -> Decimal:
    """Credit − debit on 44551 + 4455 over the entries payments posted (``payment:…``): VAT moved, never created."""
    keys = dict(Entry.objects.filter(book=book).values_list("pk", "idempotency_key"))
    total = Decimal("0.00")
    for code in (accounts.VAT_COLLECTED_TRANSIT, accounts.VAT_COLLECTED):
        _opening, lines = general_ledger(book=book, code=code, start=date(DEMO_YEAR, 1, 1), end=DEMO_TODAY)
        total += sum((ln.credit - ln.debit for ln in lines if keys[ln.entry_id].startswith("payment:")), Decimal(0))
    return total


def test_the_demo_years_export_equals_the_books_to_the_centime(tmp_path: Path) -> None:
    """How the figures are derived, per issuer (the GIE and each cooperative, each in its own book):

    - HT: the sum of the ``total_ht`` column (credit notes negative) equals credit − debit, over the entries that
      documents post as issuer, on the accounts ``invoices.postings.revenue_account`` gives their lines — 7121
      (products), 7124 (services; the fee runs' and training's), 71272 (fair commissions, none invoiced in the
      demo). The hand-written entries on those accounts (shop tickets, fair takings, commissions) are not documents
      and are left out by their keys.
    - VAT: the sum of ``total_vat`` equals credit − debit on 44551 (transit, cash basis) + 4455 over the same
      entries; the payments' entries move VAT from 44551 to 4455 and add nothing across the two (checked).
    - Per rate: the ``ht_*``/``vat_*`` columns add up to ``total_ht``/``total_vat``.
    - TTC: the sum of ``ttc`` equals debit − credit of the receivable (3421 customers, 3463 members) over the same
      entries; ``left_to_pay`` equals the receivable's balance at the demo's today, since every other movement of
      it comes from the documents' payments (no hand-written entry touches it).
    """
    seed_demo()
    rows = export(tmp_path, f"{DEMO_YEAR}-01-01", f"{DEMO_YEAR}-12-31")
    documents = Document.objects.filter(status=Document.Status.VALIDATED)
    # 65 of the invoicing year + 6 fair commissions (one per member) + 13 training invoices (one per member and
    # session) + 117 fee invoices (the 22 fee runs of the demo's four pools: tests/test_seed_demo.py)
    assert len(rows) == documents.count() == 65 + 6 + 13 + 117
    revenue_codes = {
        revenue_account(document, document_line)
        for document in documents.select_related("customer")
        for document_line in document.lines.all()
    }
    # 7121 and 7124, and 71272 for the fair's commissions
    assert revenue_codes == {accounts.SALES_PRODUCED, accounts.SERVICES_SOLD, accounts.COMMISSIONS_RECEIVED}
    by_issuer: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        sums = by_issuer[row["issuer"]]
        for column, value in row.items():
            if column.startswith(("ht_", "vat_")) or column in ("total_ht", "total_vat", "ttc", "left_to_pay"):
                sums[column] += _amount(value)
        sums["rows"] += 1
    assert len(by_issuer) == 7  # the GIE and its six cooperatives
    for slug, sums in by_issuer.items():
        book = Book.objects.get(organization__slug=slug)
        moved = _document_movements(
            book, revenue_codes | {accounts.VAT_COLLECTED, accounts.VAT_COLLECTED_TRANSIT, "3421", "3463"}
        )
        assert sums["total_ht"] == sum((moved[code] for code in revenue_codes), Decimal(0)), slug
        assert sums["total_vat"] == moved[accounts.VAT_COLLECTED] + moved[accounts.VAT_COLLECTED_TRANSIT], slug
        assert _payment_vat_moves(book) == 0, slug
        assert sums["ttc"] == -(moved["3421"] + moved["3463"]), slug
        assert sums["total_ht"] == sum(value for column, value in sums.items() if column.startswith("ht_")), slug
        assert sums["total_vat"] == sum(value for column, value in sums.items() if column.startswith("vat_")), slug
        receivable = Decimal(0)
        for code in ("3421", "3463"):
            _opening, lines = general_ledger(book=book, code=code, start=date(DEMO_YEAR, 1, 1), end=DEMO_TODAY)
            receivable += sum((ln.debit - ln.credit for ln in lines), Decimal(0))
        assert sums["left_to_pay"] == receivable, slug
    gie, honey = by_issuer["ecp-tta"], by_issuer["coop-nahl-rif"]
    assert gie["rows"] == 117 + 6 + 13  # fee invoices, one fair commission per member, the training invoices
    assert gie["total_vat"] > 0
    # every fee paid (one quarter by a cheque not yet cashed) but October's 24 invoices, due on 15 November
    assert gie["left_to_pay"] == Decimal("11691.84")
    assert honey["vat_10"] > 0  # the VAT-registered cooperative's taxable sales
    assert honey["vat_20"] > 0
    for slug, sums in by_issuer.items():
        if slug not in ("ecp-tta", "coop-nahl-rif"):
            assert sums["total_vat"] == 0, slug  # art. 91
            assert sums["total_ht"] == sums["ht_exempt"] > 0, slug
