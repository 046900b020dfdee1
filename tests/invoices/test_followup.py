"""Customer follow-up with figures worked out by hand: a statement of account with a credit note and an
overpayment (a credit balance), mandate invoices seen by issuer, the ageing of receivables by days past due, the
overdue documents of a reminder, and the pages (GIE staff only; exports; PDF)."""

import sys
import types
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import load_workbook

from invoices.followup import (
    AgeingRow,
    Movement,
    ageing,
    ageing_totals,
    bucket_of,
    overdue_documents,
    overdue_invoices,
    statement_lines,
    statement_of_account,
)
from invoices.models import Document, Party
from invoices.payments import document_write_off, payment_allocate, payment_record
from invoices.services import credit_note_create, document_save_draft, document_validate
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.invoices.conftest import TODAY, D, line

pytestmark = pytest.mark.django_db
LATER = date(2026, 11, 30)  # "today" for postings dated after TODAY


def validated(issuer: Any, customer: Any, amount: str, day: date, due_on: date | None = None) -> Document:
    """A document of one service line at 20 % (0 % for the exempt cooperative): ``amount`` HT."""
    vat = None if issuer.vat_status == "registered" else "exonere-91"
    draft = document_save_draft(
        issuer=issuer,
        customer=customer,
        issued_on=day,
        due_on=due_on,
        lines=[line("Prestation", "1", amount, vat, kind="service")],
    )
    return document_validate(document_id=draft.pk, today=LATER)


def paid(document: Document, day: date, amount: str, key: str, method: str = "transfer", **kwargs: Any) -> Any:
    return payment_record(
        payer=document.customer,
        collected_by=kwargs.pop("collected_by", document.issuer),
        documents=[document],
        received_on=day,
        method=method,
        amount=D(amount),
        idempotency_key=key,
        today=LATER,
        **kwargs,
    )


# --- pure -----------------------------------------------------------------------------------------------------------


def test_buckets_count_days_from_the_due_date() -> None:
    assert [bucket_of(days) for days in (-30, -1, 0, 30, 31, 60, 61, 90, 91, 400)] == [
        "not_due",
        "not_due",
        "days_0_30",
        "days_0_30",
        "days_31_60",
        "days_31_60",
        "days_61_90",
        "days_61_90",
        "over_90",
        "over_90",
    ]


def test_statement_lines_run_from_the_opening_and_stop_at_the_end() -> None:
    movements = [
        Movement(date(2026, 10, 9), "payment", 1, "P1", "", credit=D("50.00")),
        Movement(date(2026, 9, 30), "invoice", 1, "FA1", "", debit=D("100.00")),
        Movement(date(2026, 10, 9), "invoice", 1, "FA2", "", debit=D("30.00")),  # billed before paid, same day
        Movement(date(2026, 11, 1), "invoice", 1, "FA3", "", debit=D("999.00")),  # after the end
    ]
    opening, lines, closing = statement_lines(movements, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert opening == D("100.00")
    assert [(ln.reference, ln.balance) for ln in lines] == [("FA2", D("130.00")), ("P1", D("80.00"))]
    assert closing == D("80.00")


def test_the_totals_row_is_the_sum_of_the_rows() -> None:
    rows = [
        AgeingRow(None, not_due=D("1.00"), over_90=D("2.00"), credit=D("-0.50")),
        AgeingRow(None, days_0_30=D("3.00"), days_61_90=D("4.00")),
    ]
    totals = ageing_totals(rows)
    assert totals.buckets == (D("1.00"), D("3.00"), D("0.00"), D("4.00"), D("2.00"))
    assert (totals.credit, totals.total) == (D("-0.50"), D("9.50"))


# --- statement of account -------------------------------------------------------------------------------------------


def test_a_credit_note_and_an_overpayment_leave_a_credit_balance(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    first = validated(gie, hotel, "1000.00", date(2026, 10, 5))  # 1,200.00 TTC
    paid(first, date(2026, 10, 6), "600.00", "s-1")
    note = credit_note_create(invoice=first, issued_on=date(2026, 10, 7), lines=[line("Prestation", "0.6", "1000.00")])
    note = document_validate(document_id=note.pk, today=LATER)  # 600.00 + 120.00 = 720.00
    second = validated(gie, hotel, "100.00", date(2026, 10, 15))  # 120.00
    cash = paid(second, date(2026, 10, 20), "200.00", "s-2", method="cash")  # 120.00 applied, 80.00 left as credit
    statement = statement_of_account(party=hotel, start=date(2026, 10, 1), end=date(2026, 10, 31))
    # 0 + 1,200 − 600 − 720 + 120 − 120 − 80 = −200.00: the group owes the hotel 200.00
    assert statement.opening == D("0.00")
    assert [(ln.on, ln.kind, ln.reference, ln.debit, ln.credit, ln.balance) for ln in statement.lines] == [
        (date(2026, 10, 5), "invoice", first.number, D("1200.00"), D("0.00"), D("1200.00")),
        (
            date(2026, 10, 6),
            "payment",
            "PAY-" + str(first.allocations.get().payment_id),
            D("0.00"),
            D("600.00"),
            D("600.00"),
        ),
        (date(2026, 10, 7), "credit_note", note.number, D("0.00"), D("720.00"), D("-120.00")),
        (date(2026, 10, 15), "invoice", second.number, D("120.00"), D("0.00"), D("0.00")),
        (date(2026, 10, 20), "payment", f"PAY-{cash.pk}", D("0.00"), D("120.00"), D("-120.00")),
        (date(2026, 10, 20), "unallocated", f"PAY-{cash.pk}", D("0.00"), D("80.00"), D("-200.00")),
    ]
    assert (statement.closing, statement.debit_total, statement.credit_total) == (
        D("-200.00"),
        D("1320.00"),
        D("1520.00"),
    )
    assert not statement.shows_issuer
    assert statement.lines[2].label == f"Avoir {note.number} sur la facture {first.number}"
    # from the 8th: the opening carries what came before (1,200 − 600 − 720)
    later = statement_of_account(party=hotel, start=date(2026, 10, 8), end=date(2026, 10, 31))
    assert (later.opening, len(later.lines), later.closing) == (D("-120.00"), 3, D("-200.00"))
    # the 80.00 of credit applied to a new invoice in November: a line that moves nothing, the balance follows
    third = validated(gie, hotel, "50.00", date(2026, 11, 1))  # 60.00
    payment_allocate(payment=cash, documents=[third], allocated_on=date(2026, 11, 2), today=LATER)
    november = statement_of_account(party=hotel, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert [(ln.kind, ln.debit, ln.credit, ln.balance) for ln in november.lines] == [
        ("invoice", D("60.00"), D("0.00"), D("-140.00")),
        ("credit_applied", D("0.00"), D("0.00"), D("-140.00")),
    ]
    # the ageing agrees: −120.00 credited beyond the first invoice, −20.00 of the cash payment not yet applied
    report = ageing(as_of=date(2026, 11, 30), party=hotel)
    (row,) = report.rows
    assert (row.credit, row.total, sum(row.buckets, D("0.00"))) == (D("-140.00"), D("-140.00"), D("0.00"))


def test_mandate_invoices_show_their_issuer_and_filter_by_it(world: dict[str, Any]) -> None:
    gie, exempt, hotel = world["gie"], world["exempt"], world["hotel"]
    own = validated(gie, hotel, "100.00", date(2026, 10, 5))  # 120.00, the GIE's
    mandate = validated(exempt, hotel, "500.00", date(2026, 10, 9))  # 500.00, the cooperative's (exempt)
    # the GIE collects 700.00 for its own invoice; 580.00 waits as the hotel's credit, held by the GIE
    payment = paid(own, date(2026, 10, 10), "700.00", "m-1")
    payment_allocate(payment=payment, documents=[mandate], allocated_on=date(2026, 10, 12), today=LATER)
    october: dict[str, Any] = {"start": date(2026, 10, 1), "end": date(2026, 10, 31)}
    every = statement_of_account(party=hotel, **october)
    assert every.shows_issuer
    assert [(ln.issuer_id, ln.kind, ln.debit, ln.credit, ln.balance) for ln in every.lines] == [
        (gie.pk, "invoice", D("120.00"), D("0.00"), D("120.00")),
        (exempt.pk, "invoice", D("500.00"), D("0.00"), D("620.00")),
        (gie.pk, "payment", D("0.00"), D("120.00"), D("500.00")),
        (gie.pk, "unallocated", D("0.00"), D("580.00"), D("-80.00")),
        (exempt.pk, "credit_applied", D("0.00"), D("0.00"), D("-80.00")),
    ]
    # the GIE's view: its credit pays the cooperative's invoice (+500.00); the cooperative's: its invoice is paid
    by_gie = statement_of_account(party=hotel, issuer=gie, **october)
    assert [(ln.kind, ln.debit, ln.credit) for ln in by_gie.lines][-1] == ("credit_applied", D("500.00"), D("0.00"))
    assert by_gie.closing == D("-80.00")
    by_coop = statement_of_account(party=hotel, issuer=exempt, **october)
    assert [(ln.kind, ln.debit, ln.credit, ln.balance) for ln in by_coop.lines] == [
        ("invoice", D("500.00"), D("0.00"), D("500.00")),
        ("credit_applied", D("0.00"), D("500.00"), D("0.00")),
    ]
    # the ageing on the same day totals the same, per issuer and overall
    assert ageing(as_of=october["end"], issuer=gie, party=hotel).totals.total == D("-80.00")
    assert ageing(as_of=october["end"], issuer=exempt, party=hotel).rows == ()
    assert ageing(as_of=october["end"], party=hotel).totals.credit == D("-80.00")


def test_a_write_off_closes_the_invoice_on_the_statement(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, "100.00", date(2026, 10, 5))  # 120.00
    paid(invoice, date(2026, 10, 10), "119.40", "w-1")
    document_write_off(document=invoice, written_on=date(2026, 10, 11), today=LATER)  # the 0.60 left
    statement = statement_of_account(party=hotel, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert [(ln.kind, ln.credit, ln.balance) for ln in statement.lines][-1] == ("write_off", D("0.60"), D("0.00"))


# --- ageing ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def receivables(world: dict[str, Any]) -> dict[str, Any]:
    """On 22 November 2026 the hotel owes five GIE invoices (TTC = HT + 20 %):
    A 120.00 due 12/11 (10 days late), B 240.00 due 08/10 (45 days) of which 100.00 paid on 1 November,
    C 360.00 due 08/09 (75 days), D 480.00 due 25/07 (120 days), E 60.00 due 20/12 (not yet due).
    Dated after the 22nd, so left out: C paid in full on the 25th, F 120.00 issued on the 24th.
    M. Alami owes the exempt cooperative 9.00 due on the 22nd itself (day 0: 0–30)."""
    gie, exempt, hotel, consumer = world["gie"], world["exempt"], world["hotel"], world["consumer"]
    docs = {
        "A": validated(gie, hotel, "100.00", date(2026, 10, 13), date(2026, 11, 12)),
        "B": validated(gie, hotel, "200.00", date(2026, 9, 8), date(2026, 10, 8)),
        "C": validated(gie, hotel, "300.00", date(2026, 8, 9), date(2026, 9, 8)),
        "D": validated(gie, hotel, "400.00", date(2026, 6, 25), date(2026, 7, 25)),
        "E": validated(gie, hotel, "50.00", date(2026, 11, 20), date(2026, 12, 20)),
        "F": validated(gie, hotel, "100.00", date(2026, 11, 24)),
        "alami": validated(exempt, consumer, "9.00", date(2026, 11, 22)),
    }
    paid(docs["B"], date(2026, 11, 1), "100.00", "b-part")
    paid(docs["C"], date(2026, 11, 25), "360.00", "c-late")
    return {**world, **docs}


def test_ageing_splits_each_customer_by_days_past_due(receivables: dict[str, Any]) -> None:
    report = ageing(as_of=TODAY)
    hotel, alami = report.rows  # by name: Hôtel Continental, M. Alami
    assert hotel.party == receivables["hotel"]
    assert hotel.buckets == (D("60.00"), D("120.00"), D("140.00"), D("360.00"), D("480.00"))
    assert (hotel.credit, hotel.total) == (D("0.00"), D("1160.00"))
    assert alami.buckets == (D("0.00"), D("9.00"), D("0.00"), D("0.00"), D("0.00"))
    assert report.totals.buckets == (D("60.00"), D("129.00"), D("140.00"), D("360.00"), D("480.00"))
    assert report.totals.total == D("1169.00") == hotel.total + alami.total
    # each customer's total is its statement's balance that day
    statement = statement_of_account(party=receivables["hotel"], start=date(2026, 1, 1), end=TODAY)
    assert statement.closing == hotel.total
    # eight days later: C is paid, F counts (not yet due), every other invoice is eight days older
    later = ageing(as_of=LATER, party=receivables["hotel"])
    assert later.rows[0].buckets == (D("180.00"), D("120.00"), D("140.00"), D("0.00"), D("480.00"))
    # one issuer only
    assert [row.party for row in ageing(as_of=TODAY, issuer=receivables["exempt"]).rows] == [receivables["consumer"]]


def test_overdue_documents_are_those_past_their_due_date(receivables: dict[str, Any]) -> None:
    hotel = receivables["hotel"]
    assert overdue_documents(party=hotel, as_of=TODAY) == [receivables[k] for k in ("D", "C", "B", "A")]
    assert [(i.balance, i.days_past_due) for i in overdue_invoices(party=hotel, as_of=TODAY)] == [
        (D("480.00"), 120),
        (D("360.00"), 75),
        (D("140.00"), 45),
        (D("120.00"), 10),
    ]
    # due today is not yet late for a reminder
    assert overdue_documents(party=receivables["consumer"], as_of=TODAY) == []


# --- pages ------------------------------------------------------------------------------------------------------------


def test_the_statement_page_exports_and_prints(client: Any, receivables: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="comptable"))
    hotel = receivables["hotel"]
    url = f"/invoices/parties/{hotel.pk}/statement/"
    query = {"start": "2026-01-01", "end": "2026-11-22"}
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.context["statement"].closing == D("1160.00")
    assert receivables["A"].number in response.content.decode()
    csv = client.get(url, {**query, "export": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[-1].endswith(",1160.00")
    xlsx = load_workbook(BytesIO(client.get(url, {**query, "export": "xlsx"}).content)).active
    rows = list(xlsx.iter_rows(values_only=True))
    assert rows[-1][-1] == 1160
    assert len(rows) == 1 + 1 + 6 + 1  # header, opening, 5 invoices and a payment, closing
    pdf = client.get(url, {**query, "export": "pdf"})
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    only_gie = client.get(url, {**query, "issuer": "gie"})
    assert only_gie.context["issuer"] == receivables["gie"]
    assert client.get(url, {**query, "issuer": "nobody"}).context["issuer"] is None
    assert client.get("/invoices/parties/999999/statement/").status_code == 404


def test_the_ageing_page_links_each_customer_to_its_statement(client: Any, receivables: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="comptable"))
    response = client.get("/invoices/ageing/", {"as_of": "2026-11-22"})
    assert response.status_code == 200
    assert response.context["report"].totals.total == D("1169.00")
    assert f"/invoices/parties/{receivables['hotel'].pk}/statement/?end=2026-11-22" in response.content.decode()
    csv = client.get("/invoices/ageing/", {"as_of": "2026-11-22", "export": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[-1] == "Total,,60.00,129.00,140.00,360.00,480.00,0.00,1169.00"
    xlsx = load_workbook(BytesIO(client.get("/invoices/ageing/", {"as_of": "2026-11-22", "export": "xlsx"}).content))
    assert len(list(xlsx.active.iter_rows(values_only=True))) == 4  # header, two customers, total
    pdf = client.get("/invoices/ageing/", {"as_of": "2026-11-22", "issuer": "gie", "export": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/invoices/ageing/", {"as_of": "not-a-date"}).context["as_of"] == timezone.localdate()


def test_the_reminder_previews_the_letter_and_prints_it(
    client: Any, receivables: dict[str, Any], monkeypatch: Any
) -> None:
    client.force_login(UserFactory(username="comptable"))
    hotel = receivables["hotel"]
    url = f"/invoices/parties/{hotel.pk}/reminder/"
    preview = client.get(url, {"language": "ar"})
    assert preview.status_code == 200
    assert preview.context["language"] == "ar"
    body = preview.content.decode()
    assert receivables["D"].number in body
    assert 'lang="ar" dir="rtl"' in body
    assert client.get(url).context["language"] == "fr"  # the party's language by default
    printed: dict[str, Any] = {}

    def reminder_pdf(party: Any, documents: Any, language: Any = None, today: Any = None) -> bytes:
        printed.update(party=party, documents=list(documents), language=language)
        return b"%PDF-1.7 letter"

    monkeypatch.setitem(sys.modules, "invoices.pdf", types.SimpleNamespace(reminder_pdf=reminder_pdf))
    pdf = client.get(url, {"language": "ar", "export": "pdf"})
    assert (pdf.status_code, pdf["Content-Type"], pdf.content) == (200, "application/pdf", b"%PDF-1.7 letter")
    assert printed["party"] == hotel
    assert printed["language"] == "ar"
    assert printed["documents"] == overdue_documents(party=hotel, as_of=timezone.localdate())


def test_a_reminder_with_nothing_overdue_goes_back_to_the_preview(client: Any, receivables: dict[str, Any]) -> None:
    """Printing the letter of a customer who owes nothing overdue (paid since, an old link) was a 500."""
    client.force_login(UserFactory(username="comptable"))
    supplier = Party.objects.create(code="emballages", legal_name_fr="Emballages du Rif", language="ar")
    url = f"/invoices/parties/{supplier.pk}/reminder/"  # no invoice at all
    response = client.get(url, {"language": "ar", "export": "pdf"})
    assert (response.status_code, response["Location"]) == (302, f"{url}?language=ar")
    assert "Aucune facture échue à ce jour" in client.get(url, {"language": "fr"}).content.decode()


def test_a_printed_statement_totals_once_and_never_splits_a_row() -> None:
    """WeasyPrint repeats a table's footer on every page: the grand totals and the closing balance printed at the
    foot of page 1 read as that page's own. The footer is an ordinary row group, printed once at the end."""
    style = render_to_string("invoices/followup/_pdf_style.html")
    assert "tfoot { display: table-row-group; }" in style
    assert "tr { break-inside: avoid; }" in style


def test_follow_up_pages_are_for_the_gies_staff_only(client: Any, receivables: dict[str, Any]) -> None:
    hotel = receivables["hotel"]
    urls = [
        f"/invoices/parties/{hotel.pk}/statement/",
        f"/invoices/parties/{hotel.pk}/reminder/",
        "/invoices/ageing/",
        "/invoices/parties/999999/statement/",
    ]
    client.force_login(RepresentativeFactory(username="rep-olive", organization=receivables["exempt"]))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403, 403]
    client.force_login(UserFactory(username="auditeur", role="auditor"))
    assert [client.get(url).status_code for url in urls] == [200, 200, 200, 404]
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)
