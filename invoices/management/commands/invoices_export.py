"""python manage.py invoices_export --from YYYY-MM-DD --to YYYY-MM-DD --csv PATH

One row per validated document dated in the period, every issuer (issuer by issuer and year, invoices then credit
notes, in the order of their numbers): issuer slug, type, number, date, customer and customer ICE as printed (frozen
at validation), HT and VAT per VAT rate present in the period (``ht_20``, ``vat_20``, ``ht_10``, ``vat_10``,
``ht_exempt``…: a zero rate has no VAT column), total HT, total VAT, TTC, paid and left to pay. A credit note's
amounts are negative, so each column sums to the period's net figure; what it takes off its invoice shows in the
invoice's "left to pay". Text cells that a spreadsheet would run as a formula are written as text
(``gie_erp.core.exports.csv_cell``); amounts stay numbers. UTF-8 with a BOM, as the other CSV exports.
"""

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.exports import csv_cell
from gie_erp.core.money import ZERO
from invoices.models import Document, VatRate

BASE_HEADERS = ("issuer", "type", "number", "date", "customer", "customer_ice")
TOTAL_HEADERS = ("total_ht", "total_vat", "ttc", "paid", "left_to_pay")
#: the column suffix of a zero rate, by regime (a taxable rate is named by its percentage: 20, 10, 5.5)
ZERO_RATE_SUFFIX = {
    VatRate.Kind.EXEMPT: "exempt",
    VatRate.Kind.EXEMPT_WITH_DEDUCTION: "exempt_deduction",
    VatRate.Kind.SUSPENDED: "suspended",
}


def rate_column(rate: VatRate) -> str:
    """``20`` for 0.2000, ``5.5`` for 0.0550; the regime for a zero rate (``exempt``, ``suspended``…)."""
    if rate.rate > 0:
        return f"{(rate.rate * 100).normalize():f}"
    return ZERO_RATE_SUFFIX.get(VatRate.Kind(rate.kind), rate.code)


def _column_order(rate: VatRate) -> tuple[Decimal, str]:
    return (-rate.rate, rate_column(rate))  # highest rate first, zero rates after, by name


def export_table(documents: Sequence[Document]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the export; ``documents`` with their taxes (and rates) and issuer loaded."""
    rates: dict[str, VatRate] = {}
    for document in documents:
        for tax in document.taxes.all():
            rates.setdefault(rate_column(tax.vat_rate), tax.vat_rate)
    columns = sorted(rates, key=lambda name: _column_order(rates[name]))
    headers = list(BASE_HEADERS)
    for name in columns:
        headers += [f"ht_{name}", f"vat_{name}"] if rates[name].rate > 0 else [f"ht_{name}"]
    headers += TOTAL_HEADERS
    return headers, [_row(document, columns, rates) for document in documents]


def _row(document: Document, columns: Iterable[str], rates: dict[str, VatRate]) -> list[Any]:
    credit_note = document.kind == Document.Kind.CREDIT_NOTE

    def signed(amount: Decimal) -> Decimal:
        return -amount + ZERO if credit_note else amount  # + 0.00: never a "-0.00" cell

    by_rate: dict[str, tuple[Decimal, Decimal]] = {}
    for tax in document.taxes.all():
        net, vat = by_rate.get(rate_column(tax.vat_rate), (ZERO, ZERO))
        by_rate[rate_column(tax.vat_rate)] = (net + tax.net, vat + tax.vat)
    customer = document.customer_snapshot
    row: list[Any] = [
        document.issuer.slug,
        document.kind,
        document.number,
        document.issued_on.isoformat(),
        customer.get("name_fr", ""),
        customer.get("ice", ""),
    ]
    for name in columns:
        net, vat = by_rate.get(name, (ZERO, ZERO))
        row += [signed(net), signed(vat)] if rates[name].rate > 0 else [signed(net)]
    paid = ZERO if credit_note else document.amount_paid
    row += [signed(document.total_net), signed(document.total_vat), signed(document.total_gross), paid]
    row.append(document.balance_due)  # 0 for a credit note: what it takes off is in its invoice's row
    return row


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = "Validated invoices and credit notes of a period as CSV: HT and VAT per rate, totals, paid, left to pay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--csv", dest="path", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        if start > end:
            raise CommandError(f"--from ({start}) is after --to ({end})")
        documents = list(
            Document.objects.filter(status=Document.Status.VALIDATED, issued_on__gte=start, issued_on__lte=end)
            .select_related("issuer")
            .prefetch_related("taxes__vat_rate")
            .order_by("issuer__slug", "year", "-kind", "sequence")  # invoices, then credit notes
        )
        headers, rows = export_table(documents)
        try:
            with open(options["path"], "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow([csv_cell(header) for header in headers])
                writer.writerows([csv_cell(value) for value in row] for row in rows)
        except OSError as error:
            raise CommandError(f"cannot write {options['path']}: {error.strerror}") from error
        self.stdout.write(f"{len(rows)} documents written to {options['path']}")
