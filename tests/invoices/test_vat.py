"""VAT of a period with figures worked out by hand: collected on the cash basis (payments, cheques cashed later,
credit notes), the débits regime, a member's deductible VAT and its relevé des déductions, the liquidation into
4456 or 3456 (idempotent, never for a period not yet over), the VAT page and the command."""

from datetime import date
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.models import AuditEvent
from invoices.models import Document, IssuerSettings
from invoices.parties import party_for_member
from invoices.payments import payment_cheque_cash, payment_record
from invoices.services import credit_note_create, document_save_draft, document_validate
from invoices.vat import cash_in_on, deductions_list, vat_summary
from invoices.vat_liquidation import vat_balances, vat_liquidate, vat_liquidation_lines
from invoices.vat_periods import last_finished_vat_period, vat_period_bounds, vat_period_code, vat_period_parse
from ledger.models import Book, Entry, Journal
from ledger.posting import JournalLine
from ledger.services import journal_entry_post
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.invoices.conftest import TODAY, D, balance, line

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def validated(issuer: Any, customer: Any, lines: list[Any], day: date = date(2026, 10, 5)) -> Document:
    draft = document_save_draft(issuer=issuer, customer=customer, issued_on=day, lines=lines)
    return document_validate(document_id=draft.pk, today=TODAY)


def pay(document: Document, day: date, method: str, amount: str, key: str, **kwargs: Any) -> Any:
    collector = kwargs.pop("collector", document.issuer)
    return payment_record(
        payer=document.customer,
        collected_by=collector,
        documents=[document],
        received_on=day,
        method=method,
        amount=D(amount),
        idempotency_key=key,
        today=TODAY,
        **kwargs,
    )


@pytest.fixture
def october_sales(world: dict[str, Any]) -> dict[str, Any]:
    """The GIE invoices the hotel 1,000.00 HT + 200.00 VAT on 5 October; 600.00 by transfer on 10 October (VAT
    200 × 600 / 1,200 = 100.00 moves to 4455), a cheque of 600.00 received on 28 October, cashed on 3 November
    (the last 100.00 moves then)."""
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Stand", "10", "100.00", kind="service")])
    assert (invoice.total_vat, invoice.total_gross) == (D("200.00"), D("1200.00"))
    pay(invoice, date(2026, 10, 10), "transfer", "600.00", "oct-1")
    cheque = pay(invoice, date(2026, 10, 28), "cheque", "600.00", "oct-2", reference="CHQ 77")
    payment_cheque_cash(payment=cheque, cashed_on=date(2026, 11, 3), today=TODAY)
    return {**world, "invoice": invoice}


pytestmark = pytest.mark.django_db


# --- pure -----------------------------------------------------------------------------------------------------------


def test_periods_parse_and_print_both_ways() -> None:
    assert vat_period_parse("2026-10") == OCTOBER
    assert vat_period_parse("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert vat_period_parse("2024-T1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert vat_period_code(*vat_period_parse("2026-Q4")) == "2026-Q4"
    assert vat_period_code(*OCTOBER) == "2026-10"
    assert vat_period_code(date(2026, 10, 2), date(2026, 10, 31)) == "2026-10-02..2026-10-31"
    for wrong in ("2026-13", "2026-Q5", "26-10", "2026/10", "", "1999-01"):
        with pytest.raises(ValueError):
            vat_period_parse(wrong)


def test_a_cheque_counts_when_cashed_and_never_before_its_allocation() -> None:
    kwargs = {"allocated_on": date(2026, 10, 28)}
    assert cash_in_on(is_cheque=False, cashed_on=None, **kwargs) == date(2026, 10, 28)
    assert cash_in_on(is_cheque=True, cashed_on=None, **kwargs) is None
    assert cash_in_on(is_cheque=True, cashed_on=date(2026, 11, 3), **kwargs) == date(2026, 11, 3)
    # a credit from a cheque cashed earlier, applied on the 28th: the VAT moves on the 28th
    assert cash_in_on(is_cheque=True, cashed_on=date(2026, 10, 1), **kwargs) == date(2026, 10, 28)


def test_liquidation_lines_zero_both_accounts_and_put_the_rest_to_due_or_credit() -> None:
    assert vat_liquidation_lines(collected=D("100.00"), deductible=D("30.00")) == [
        JournalLine("4455", debit=D("100.00")),
        JournalLine("34552", credit=D("30.00")),
        JournalLine("4456", credit=D("70.00")),
    ]
    assert vat_liquidation_lines(collected=D("20.00"), deductible=D("50.00")) == [
        JournalLine("4455", debit=D("20.00")),
        JournalLine("34552", credit=D("50.00")),
        JournalLine("3456", debit=D("30.00")),
    ]
    assert vat_liquidation_lines(collected=D("40.00"), deductible=D("40.00")) == [
        JournalLine("4455", debit=D("40.00")),
        JournalLine("34552", credit=D("40.00")),
    ]
    # 4455 in debit (credit notes beyond the period's sales): credited back to zero, a credit of VAT
    assert vat_liquidation_lines(collected=D("-15.00"), deductible=D("0.00")) == [
        JournalLine("4455", credit=D("15.00")),
        JournalLine("3456", debit=D("15.00")),
    ]
    assert vat_liquidation_lines(collected=D("0.00"), deductible=D("0.00")) == []


# --- periods of a book ----------------------------------------------------------------------------------------------


def test_the_period_is_the_books_month_or_quarter(world: dict[str, Any]) -> None:
    registered = world["registered"]
    assert vat_period_bounds(registered, date(2026, 11, 22)) == NOVEMBER  # no settings: monthly
    assert last_finished_vat_period(registered, date(2026, 11, 22)) == OCTOBER
    IssuerSettings.objects.create(organization=registered, vat_period=IssuerSettings.VatPeriod.QUARTER)
    assert vat_period_bounds(registered, date(2026, 11, 22)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert last_finished_vat_period(registered, date(2026, 11, 22)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert last_finished_vat_period(registered, date(2026, 1, 1)) == (date(2025, 10, 1), date(2025, 12, 31))


# --- collected VAT --------------------------------------------------------------------------------------------------


def test_collected_vat_follows_the_money_and_the_cashed_cheque(october_sales: dict[str, Any]) -> None:
    gie = october_sales["gie"]
    october = vat_summary(organization=gie, start=OCTOBER[0], end=OCTOBER[1])
    # 600.00 paid on the 10th: VAT 100.00, base 600.00 − 100.00 = 500.00; the cheque is not cashed in October
    assert [(r.rate, r.base, r.vat) for r in october.collected.by_rate] == [(D("0.2000"), D("500.00"), D("100.00"))]
    assert (october.collected.total, october.collected.ledger_credit, october.collected.ledger_net) == (
        D("100.00"),
        D("100.00"),
        D("100.00"),
    )
    assert october.collected.difference == D("0.00")
    assert not october.has_difference
    assert (october.deductible.total, october.due, october.credit) == (D("0.00"), D("100.00"), D("0.00"))
    november = vat_summary(organization=gie, start=NOVEMBER[0], end=NOVEMBER[1])
    assert [(r.base, r.vat) for r in november.collected.by_rate] == [(D("500.00"), D("100.00"))]
    assert november.collected.ledger_net == D("100.00")


def test_liquidating_october_clears_4455_into_4456(october_sales: dict[str, Any]) -> None:
    gie = october_sales["gie"]
    book = Book.objects.get(organization=gie)
    ref = vat_liquidate(organization=gie, start=OCTOBER[0], end=OCTOBER[1], acting_user=None, today=TODAY)
    assert ref is not None
    assert ref.created
    entry = Entry.objects.get(pk=ref.je_id)
    assert (entry.posted_on, entry.journal, entry.idempotency_key) == (
        date(2026, 10, 31),
        Journal.MISC,
        f"vat:{book.pk}:2026-10-01:2026-10-31",
    )
    # Dr 4455 100.00 / Cr 4456 100.00 (no deductions): at the end of October 4455 is 0.00, 4456 −100.00
    assert vat_balances(book=book, end=OCTOBER[1]) == (D("0.00"), D("0.00"))
    assert balance(gie, "4456") == D("-100.00")
    assert balance(gie, "4455") == D("-100.00")  # November's 100.00, cashed on the 3rd, waits for November
    audit = AuditEvent.objects.get(event="invoices.vat_liquidated")
    assert (audit.tenant_id, audit.data["period"], audit.data["collected"]) == (gie.pk, "2026-10", "100.00")
    # the page after it: the liquidation is named, the ledger's 4455 movements leave it out
    october = vat_summary(organization=gie, start=OCTOBER[0], end=OCTOBER[1])
    assert october.liquidation is not None
    assert october.liquidation.pk == ref.je_id
    assert (october.collected.ledger_debit, october.collected.difference) == (D("0.00"), D("0.00"))
    # November next: the books are then clear
    vat_liquidate(organization=gie, start=NOVEMBER[0], end=NOVEMBER[1], acting_user=None, today=date(2026, 11, 30))
    assert (balance(gie, "4455"), balance(gie, "44551"), balance(gie, "4456")) == (D("0.00"), D("0.00"), D("-200.00"))


def test_liquidation_is_idempotent_refuses_the_future_and_posts_nothing_when_empty(
    october_sales: dict[str, Any],
) -> None:
    gie = october_sales["gie"]
    first = vat_liquidate(organization=gie, start=OCTOBER[0], end=OCTOBER[1], acting_user=None, today=TODAY)
    again = vat_liquidate(organization=gie, start=OCTOBER[0], end=OCTOBER[1], acting_user=None, today=TODAY)
    assert first is not None
    assert again is not None
    assert (again.je_id, again.number, again.created) == (first.je_id, first.number, False)
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 1
    assert AuditEvent.objects.filter(event="invoices.vat_liquidated").count() == 1
    assert balance(gie, "4456") == D("-100.00")
    # November is not over on the 22nd
    with pytest.raises(DomainError) as error:
        vat_liquidate(organization=gie, start=NOVEMBER[0], end=NOVEMBER[1], acting_user=None, today=TODAY)
    assert error.value.code == ErrorCode.FUTURE_DATE
    # September: nothing in 4455 nor in 34552 at its end
    assert vat_liquidate(organization=gie, start=date(2026, 9, 1), end=date(2026, 9, 30), acting_user=None) is None


def test_a_credit_note_takes_back_what_it_took_from_4455(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Stand", "10", "100.00", kind="service")])  # 1,000 + 200
    pay(invoice, date(2026, 10, 6), "transfer", "600.00", "half")  # 100.00 of VAT moves to 4455
    note = credit_note_create(
        invoice=invoice, issued_on=date(2026, 10, 7), lines=[line("Stand", "6", "100.00", kind="service")]
    )
    document_validate(document_id=note.pk, today=TODAY)
    # the credit note's VAT 120.00: 100.00 from 44551 (all not yet paid), 20.00 from 4455 → base 600 × 20 / 120 = 100
    october = vat_summary(organization=gie, start=OCTOBER[0], end=OCTOBER[1])
    assert [(r.base, r.vat) for r in october.collected.by_rate] == [(D("400.00"), D("80.00"))]  # 500 − 100, 100 − 20
    assert (october.collected.ledger_credit, october.collected.ledger_debit) == (D("100.00"), D("20.00"))
    assert october.collected.difference == D("0.00")
    assert balance(gie, "4455") == D("-80.00")


def test_under_the_debits_regime_vat_is_collected_on_the_documents_date(world: dict[str, Any]) -> None:
    registered, hotel = world["registered"], world["hotel"]
    IssuerSettings.objects.create(organization=registered, vat_regime=IssuerSettings.VatRegime.ACCRUAL)
    invoice = validated(registered, hotel, [line("Miel", "2", "50.00", "normal-20")])  # 100 + 20, unpaid
    assert invoice.vat_regime == IssuerSettings.VatRegime.ACCRUAL
    october = vat_summary(organization=registered, start=OCTOBER[0], end=OCTOBER[1])
    assert [(r.base, r.vat) for r in october.collected.by_rate] == [(D("100.00"), D("20.00"))]
    assert (october.collected.ledger_net, october.collected.difference) == (D("20.00"), D("0.00"))
    # paid in November: nothing more to collect then
    pay(invoice, date(2026, 11, 4), "transfer", "120.00", "accrual-1", collector=registered)
    november = vat_summary(organization=registered, start=NOVEMBER[0], end=NOVEMBER[1])
    assert (november.collected.total, november.collected.ledger_net) == (D("0.00"), D("0.00"))


# --- deductible VAT -------------------------------------------------------------------------------------------------


@pytest.fixture
def member_purchases(world: dict[str, Any]) -> dict[str, Any]:
    """The GIE bills the registered member 100.00 HT + 20.00 VAT on 5 October, paid by transfer on the 12th (its
    20.00 moves 34554 → 34552); the member also enters a supplier's invoice directly in its ledger on the 20th:
    Dr 6111 500.00, Dr 34552 100.00 / Cr 4411 600.00."""
    gie, registered = world["gie"], world["registered"]
    invoice = validated(gie, party_for_member(organization=registered), [line("Tenue comptable", "1", "100.00")])
    pay(invoice, date(2026, 10, 12), "transfer", "120.00", "member-1")
    journal_entry_post(
        book=Book.objects.get(organization=registered),
        posted_on=date(2026, 10, 20),
        journal=Journal.PURCHASES,
        lines=[
            JournalLine("6111", debit=D("500.00")),
            JournalLine("34552", debit=D("100.00")),
            JournalLine("4411", credit=D("600.00")),
        ],
        description="Bocaux en verre, Verrerie du Nord",
        source_ref="F-2026-311",
        idempotency_key="test:jars",
        today=TODAY,
    )
    return {**world, "invoice": invoice}


def test_a_registered_member_deducts_the_vat_it_paid_and_liquidates_a_credit(
    member_purchases: dict[str, Any],
) -> None:
    gie, registered, invoice = member_purchases["gie"], member_purchases["registered"], member_purchases["invoice"]
    october = vat_summary(organization=registered, start=OCTOBER[0], end=OCTOBER[1])
    assert october.deducts
    assert [(r.rate, r.base, r.vat) for r in october.deductible.by_rate] == [(D("0.2000"), D("100.00"), D("20.00"))]
    assert [(ln.number, ln.amount) for ln in october.deductible.other] == [
        (Entry.objects.get(idempotency_key="test:jars").number, D("100.00"))
    ]
    assert (october.deductible.total, october.deductible.ledger_net, october.deductible.difference) == (
        D("120.00"),
        D("120.00"),
        D("0.00"),
    )
    assert (october.collected.total, october.due, october.credit) == (D("0.00"), D("0.00"), D("120.00"))
    # the GIE's side of the same payment: 20.00 collected
    assert vat_summary(organization=gie, start=OCTOBER[0], end=OCTOBER[1]).collected.total == D("20.00")
    rows = deductions_list(organization=registered, start=OCTOBER[0], end=OCTOBER[1])
    assert [(r.supplier_name, r.supplier_ice, r.number, r.issued_on, r.paid_on, r.net, r.vat) for r in rows] == [
        (gie.legal_name_fr, gie.ice, invoice.number, date(2026, 10, 5), date(2026, 10, 12), D("100.00"), D("20.00")),
        ("", "", Entry.objects.get(idempotency_key="test:jars").number, None, date(2026, 10, 20), None, D("100.00")),
    ]
    assert rows[0].supplier_if == "40123456"
    assert rows[1].description == "Bocaux en verre, Verrerie du Nord"
    # liquidation: nothing collected, 120.00 deductible → Dr 3456 120.00 / Cr 34552 120.00
    ref = vat_liquidate(organization=registered, start=OCTOBER[0], end=OCTOBER[1], acting_user=None, today=TODAY)
    assert ref is not None
    assert (balance(registered, "34552"), balance(registered, "3456"), balance(registered, "4456")) == (
        D("0.00"),
        D("120.00"),
        D("0.00"),
    )


def test_an_exempt_member_deducts_nothing(world: dict[str, Any]) -> None:
    gie, exempt = world["gie"], world["exempt"]
    invoice = validated(gie, party_for_member(organization=exempt), [line("Tenue comptable", "1", "100.00")])
    pay(invoice, date(2026, 10, 12), "transfer", "120.00", "exempt-1")
    october = vat_summary(organization=exempt, start=OCTOBER[0], end=OCTOBER[1])
    assert (october.deducts, october.deductible.total, october.deductible.ledger_net) == (False, D("0.00"), D("0.00"))
    assert deductions_list(organization=exempt, start=OCTOBER[0], end=OCTOBER[1]) == []
    assert vat_liquidate(organization=exempt, start=OCTOBER[0], end=OCTOBER[1], acting_user=None, today=TODAY) is None


# --- pages and command ------------------------------------------------------------------------------------------------


def test_the_vat_page_shows_the_period_and_its_deductions(client: Any, member_purchases: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="comptable"))
    url = "/invoices/vat/coop-miel/"
    response = client.get(url, {"period": "2026-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bocaux en verre" in body
    assert response.context["summary"].deductible.total == D("120.00")
    default = client.get(url)  # the last finished period
    assert default.status_code == 200
    assert default.context["summary"].code == vat_period_code(
        *last_finished_vat_period(member_purchases["registered"], timezone.localdate())
    )
    csv = client.get(url, {"period": "2026-10", "export": "csv"})
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert member_purchases["invoice"].number in text
    assert "100.00" in text
    xlsx = client.get(url, {"period": "2026-10", "export": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3  # header, the GIE's invoice, the ledger entry
    assert client.get(url, {"period": "nonsense"}).status_code == 200


def test_liquidating_from_the_page_confirms_then_posts(client: Any, october_sales: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="comptable"))
    url = "/invoices/vat/gie/liquidate/"
    confirm = client.get(url, {"period": "2026-10"})
    assert confirm.status_code == 200
    assert [(ln.account_code, ln.debit, ln.credit) for ln in confirm.context["lines"]] == [
        ("4455", D("100.00"), D("0.00")),
        ("4456", D("0.00"), D("100.00")),
    ]
    response = client.post(url, {"period": "2026-10"})
    assert response.status_code == 302
    entry = Entry.objects.get(idempotency_key__startswith="vat:")
    assert response["Location"] == "/invoices/vat/gie/?period=2026-10"
    page = client.get(response["Location"])
    assert f"/books/gie/entries/{entry.pk}/" in page.content.decode()
    assert client.post(url, {"period": "2026-10"}).status_code == 302  # a second submit: the same entry
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 1
    assert client.post(url, {"period": "2099-01"}).status_code == 302  # refused, said in a message
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 1


def test_a_representative_reads_its_own_vat_only(client: Any, world: dict[str, Any]) -> None:
    client.force_login(RepresentativeFactory(username="rep-miel", organization=world["registered"]))
    own = client.get("/invoices/vat/coop-miel/", {"period": "2026-10"})
    assert own.status_code == 200
    assert "/liquidate/" not in own.content.decode()  # read-only
    assert client.get("/invoices/vat/coop-olive/").status_code == 404
    assert client.get("/invoices/vat/gie/").status_code == 404
    assert client.get("/invoices/vat/no-such-coop/").status_code == 404
    assert client.post("/invoices/vat/coop-miel/liquidate/", {"period": "2026-10"}).status_code == 403
    assert client.get("/invoices/vat/coop-miel/liquidate/").status_code == 403


def test_the_command_liquidates_a_period_once(october_sales: dict[str, Any]) -> None:
    out = StringIO()
    call_command("vat_liquidate", "--org", "gie", "--period", "2026-10", stdout=out)
    entry = Entry.objects.get(idempotency_key__startswith="vat:")
    assert entry.number in out.getvalue()
    assert "4456" in out.getvalue()
    again = StringIO()
    call_command("vat_liquidate", "--org", "gie", "--period", "2026-10", stdout=again)
    assert entry.number in again.getvalue()
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 1
    empty = StringIO()
    call_command("vat_liquidate", "--org", "coop-olive", "--period", "2026-10", stdout=empty)
    assert "nothing to liquidate" in empty.getvalue()
    with pytest.raises(CommandError):
        call_command("vat_liquidate", "--org", "gie", "--period", "2099-01")
    with pytest.raises(CommandError):
        call_command("vat_liquidate", "--org", "gie", "--period", "2026-13")
    with pytest.raises(CommandError):
        call_command("vat_liquidate", "--org", "nobody", "--period", "2026-10")
    with pytest.raises(CommandError):  # the GIE declares monthly: a quarter is not one of its periods
        call_command("vat_liquidate", "--org", "gie", "--period", "2026-Q3")
