"""The invoicing pages as the GIE's accountant, its auditor and a cooperative's representative meet them: lists
with filters and exports, the draft form with exact totals, validation, credit notes, payments, the portal; odd
input answers with a message or a 404, never an error page."""

import csv
import html
import io
import json
import subprocess
import sys
import types
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gie_erp.core.roles import Role
from invoices.models import Bundle, Document, Party, Payment
from invoices.parties import party_for_member
from invoices.payments import payment_record
from invoices.services import bundle_create, document_save_draft, document_validate
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.invoices.conftest import D, line

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 5)
NNBSP = "\u202f"


def validated(issuer: Any, customer: Any, lines: list[Any], day: date = DAY, **kwargs: Any) -> Document:
    draft = document_save_draft(issuer=issuer, customer=customer, issued_on=day, lines=lines, **kwargs)
    return document_validate(document_id=draft.pk)


def draft_post(customer: Party, issuer: Any, /, *, key: str = "k-1", **extra: str) -> dict[str, str]:
    """The draft form as a browser sends it: one line of 3 × 33,33 at 20 %."""
    data = {
        "idempotency_key": key,
        "issuer": str(issuer.pk),
        "customer": customer.code,
        "issued_on": "2026-10-05",
        "due_on": "",
        "payment_terms": "",
        "note": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-description": "Conseil",
        "lines-0-kind": "service",
        "lines-0-quantity": "3",
        "lines-0-unit": "h",
        "lines-0-unit_price": "33,33",
        "lines-0-discount": "",
        "lines-0-vat_code": "normal-20",
        "lines-1-description": "",  # a blank line, as the form leaves one: skipped
        "lines-1-kind": "service",
        "lines-1-vat_code": "normal-20",
    }
    data.update(extra)
    return data


@pytest.fixture
def docs(world: dict[str, Any]) -> dict[str, Document]:
    """A's (the exempt cooperative's) mandate invoice to the hotel, the GIE's invoice to A, B's (the registered
    cooperative's) mandate invoice, a GIE invoice to the hotel partly paid, a draft."""
    gie, exempt, registered, hotel = world["gie"], world["exempt"], world["registered"], world["hotel"]
    mandate_a = validated(exempt, hotel, [line("Huile d'olive", "4", "125.00")])  # 500.00
    to_a = validated(gie, party_for_member(organization=exempt), [line("Tenue comptable", "1", "100.00")])  # 120.00
    mandate_b = validated(registered, hotel, [line("Miel", "1", "100.00", "normal-20")])  # 120.00
    gie_hotel = validated(gie, hotel, [line("Stand", "10", "100.00", kind="service")], day=date(2026, 9, 1))  # 1200
    payment_record(
        payer=hotel, collected_by=gie, documents=[gie_hotel], received_on=date(2026, 9, 10), method="transfer",
        amount=D("200.00"), idempotency_key="t-p1",
    )  # fmt: skip
    draft = document_save_draft(issuer=gie, customer=hotel, issued_on=DAY, lines=[line("Projet", "1", "10.00")])
    return {"mandate_a": mandate_a, "to_a": to_a, "mandate_b": mandate_b, "gie_hotel": gie_hotel, "draft": draft}


@pytest.fixture
def staff(client: Any, accountant: Any) -> Any:
    client.force_login(accountant)
    return client


@pytest.fixture
def rep_exempt(client: Any, world: dict[str, Any]) -> Any:
    client.force_login(RepresentativeFactory(username="rep-zitouna", organization=world["exempt"]))
    return client


@pytest.fixture
def fake_pdf(monkeypatch: Any) -> list[tuple[int, str]]:
    """invoices.pdf is another module's work: the page only needs ``document_pdf(document, language) -> bytes``."""
    calls: list[tuple[int, str]] = []
    module = types.ModuleType("invoices.pdf")

    def document_pdf(document: Document, language: str) -> bytes:
        calls.append((document.pk, language))
        return b"%PDF-1.7 fake"

    module.document_pdf = document_pdf  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "invoices.pdf", module)
    return calls


def page_text(response: Any) -> str:
    """The page as a person reads it: entities decoded (``n&#x27;est`` → ``n'est``)."""
    return html.unescape(response.content.decode())


def rows_of(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# Lists ----------------------------------------------------------------------------------------------------------


def test_the_list_filters_and_sums_the_filtered_documents(staff: Any, world: dict[str, Any], docs: Any) -> None:
    page = staff.get("/invoices/documents/")
    assert page.status_code == 200
    assert page.context["totals"].count == 5
    # validated invoices: 500 + 120 + 120 + 1,200 = 1,940 TTC, 200 paid, 1,740 left; the draft adds 12.00 TTC
    totals = page.context["totals"]
    assert (totals.gross, totals.paid, totals.left) == (D("1952.00"), D("200.00"), D("1740.00"))
    by_issuer = staff.get("/invoices/documents/", {"issuer": world["exempt"].pk}).context
    assert [d.pk for d in by_issuer["page"]] == [docs["mandate_a"].pk]
    partly = staff.get("/invoices/documents/", {"paid": "partly_paid"}).context
    assert [d.pk for d in partly["page"]] == [docs["gie_hotel"].pk]
    assert partly["totals"].left == D("1000.00")
    unpaid = staff.get("/invoices/documents/", {"paid": "unpaid", "customer": world["hotel"].code}).context
    assert {d.pk for d in unpaid["page"]} == {docs["mandate_a"].pk, docs["mandate_b"].pk}
    drafts = staff.get("/invoices/documents/", {"status": "draft"}).context
    assert [d.pk for d in drafts["page"]] == [docs["draft"].pk]
    # due 30 days after 1 Sept (1 Oct) and 5 Oct (4 Nov): all four are overdue on 30 Nov; none on 2 Oct
    overdue = staff.get("/invoices/documents/", {"overdue": "on"}).context
    assert overdue["totals"].count == 4
    dated = staff.get("/invoices/documents/", {"start": "2026-09-01", "end": "2026-09-30"}).context
    assert [d.pk for d in dated["page"]] == [docs["gie_hotel"].pk]
    found = staff.get("/invoices/documents/", {"q": "Continental", "issuer": world["registered"].pk}).context
    assert [d.pk for d in found["page"]] == [docs["mandate_b"].pk]


def test_the_export_has_human_headers_and_exact_amounts(staff: Any, docs: Any) -> None:
    rows = rows_of(staff.get("/invoices/documents/", {"export": "csv", "paid": "partly_paid"}))
    assert rows[0] == [
        "Numéro", "Type", "Date", "Émetteur", "Client", "ICE du client", "Total HT", "TVA", "Total TTC", "Payé",
        "Reste à payer", "État",
    ]  # fmt: skip
    number = docs["gie_hotel"].number
    assert rows[1][0] == number
    assert rows[1][6:11] == ["1000.00", "200.00", "1200.00", "200.00", "1000.00"]
    assert rows[1][11] == "Validée · Partiellement payée"
    xlsx = staff.get("/invoices/documents/", {"export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_customer_named_like_a_formula_is_exported_as_text(staff: Any, world: dict[str, Any]) -> None:
    evil = Party.objects.create(code="evil", legal_name_fr='=HYPERLINK("x")', address="Tanger", kind="consumer")
    document_save_draft(issuer=world["gie"], customer=evil, issued_on=DAY, lines=[line("X", "1", "1.00")])
    rows = rows_of(staff.get("/invoices/documents/", {"export": "csv"}))
    assert rows[1][4] == '\'=HYPERLINK("x")'
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


# The draft form ------------------------------------------------------------------------------------------------


def test_the_form_creates_edits_and_validates_a_draft_with_exact_totals(staff: Any, world: dict[str, Any]) -> None:
    page = staff.get("/invoices/documents/new/")
    assert page.status_code == 200
    body = page_text(page)
    assert '<select name="customer"' not in body  # searched as typed, never every party in the page
    assert 'list="party-options"' in body
    response = staff.post("/invoices/documents/new/", draft_post(world["hotel"], world["gie"]))
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/documents/{document.pk}/"
    # 3 × 33.33 = 99.99 HT; 99.99 × 20 % = 19.998 → 20.00; 119.99 TTC
    assert (document.total_net, document.total_vat, document.total_gross) == (D("99.99"), D("20.00"), D("119.99"))
    assert document.lines.count() == 1
    assert document.payment_terms == "Paiement à 30 jours"
    assert document.due_on == date(2026, 11, 4)
    # the edit page shows the line as typed; changing it recomputes (2 × 33.33 = 66.66, VAT 13.332 → 13.33)
    edit = page_text(staff.get(f"/invoices/documents/{document.pk}/edit/"))
    assert 'value="33,33"' in edit
    assert (
        staff.post(
            f"/invoices/documents/{document.pk}/edit/",
            draft_post(
                world["hotel"], world["gie"], key="k-edit", **{"lines-0-quantity": "2", "lines-0-discount": "10"}
            ),
        ).status_code
        == 302
    )
    document.refresh_from_db()
    # 2 × 33.33 × 0.90 = 59.994 → 59.99; VAT 11.998 → 12.00
    assert (document.total_net, document.total_vat, document.total_gross) == (D("59.99"), D("12.00"), D("71.99"))
    assert Document.objects.count() == 1
    # validate by POST (a GET changes nothing)
    assert staff.get(f"/invoices/documents/{document.pk}/validate/").status_code == 405
    response = staff.post(f"/invoices/documents/{document.pk}/validate/", follow=True)
    document.refresh_from_db()
    assert (document.status, document.number) == ("validated", "FA-2026-00001")
    assert "Document FA-2026-00001 validé." in page_text(response)
    # the edit URL of a validated document refuses, in words, and a POST changes nothing
    locked = staff.get(f"/invoices/documents/{document.pk}/edit/")
    assert locked.status_code == 200
    assert "corrigez-le par un avoir" in page_text(locked)
    assert 'id="document-form"' not in page_text(locked)
    refused = staff.post(f"/invoices/documents/{document.pk}/edit/", draft_post(world["hotel"], world["gie"], key="x"))
    assert refused.status_code == 409
    document.refresh_from_db()
    assert document.total_gross == D("71.99")


def test_a_double_submit_with_the_same_form_key_creates_one_document(staff: Any, world: dict[str, Any]) -> None:
    first = staff.post("/invoices/documents/new/", draft_post(world["hotel"], world["gie"], key="same"))
    second = staff.post("/invoices/documents/new/", draft_post(world["hotel"], world["gie"], key="same"))
    assert Document.objects.count() == 1
    assert first["Location"] == second["Location"]
    staff.post("/invoices/documents/new/", draft_post(world["hotel"], world["gie"], key="other"))
    assert Document.objects.count() == 2


def test_an_exempt_issuer_gets_the_art_91_exemption_only(staff: Any, world: dict[str, Any]) -> None:
    data = draft_post(world["hotel"], world["exempt"])
    response = staff.post("/invoices/documents/new/", data)
    assert response.status_code == 200
    assert "exonérée de TVA (art. 91)" in page_text(response)
    assert not Document.objects.exists()
    data["lines-0-vat_code"] = "exonere-91"
    assert staff.post("/invoices/documents/new/", data).status_code == 302
    assert Document.objects.get().total_gross == D("99.99")


def test_a_rate_not_in_force_on_the_date_is_refused_on_its_line(staff: Any, world: dict[str, Any]) -> None:
    response = staff.post(
        "/invoices/documents/new/", draft_post(world["hotel"], world["gie"], **{"lines-0-vat_code": "reduit-14"})
    )
    assert response.status_code == 200
    assert "n'est pas en vigueur le 2026-10-05" in page_text(response)
    assert not Document.objects.exists()
    back_dated = draft_post(world["hotel"], world["gie"], issued_on="2025-06-01", **{"lines-0-vat_code": "reduit-14"})
    assert staff.post("/invoices/documents/new/", back_dated).status_code == 302
    assert Document.objects.get().total_vat == D("14.00")  # 99.99 × 14 % = 13.9986 → 14.00


def test_a_mandate_invoice_to_a_member_is_refused_in_words(staff: Any, world: dict[str, Any]) -> None:
    member = party_for_member(organization=world["registered"])
    data = draft_post(member, world["exempt"], **{"lines-0-vat_code": "exonere-91"})
    response = staff.post("/invoices/documents/new/", data)
    assert response.status_code == 200
    assert "ne peut pas être adressée à un membre du GIE" in page_text(response)


def test_a_draft_is_deleted_by_post_only(staff: Any, docs: Any) -> None:
    url = f"/invoices/documents/{docs['draft'].pk}/delete/"
    assert staff.get(url).status_code == 405
    assert staff.post(url)["Location"] == "/invoices/documents/"
    assert not Document.objects.filter(pk=docs["draft"].pk).exists()
    refused = staff.post(f"/invoices/documents/{docs['gie_hotel'].pk}/delete/", follow=True)
    assert "corrigez-le par un avoir" in page_text(refused)


# The document's page and its files --------------------------------------------------------------------------


def test_the_page_shows_totals_payments_and_ledger_entries(staff: Any, docs: Any) -> None:
    invoice = docs["gie_hotel"]
    page = staff.get(f"/invoices/documents/{invoice.pk}/")
    body = page_text(page)
    assert page.context["left"] == D("1000.00")
    assert page.context["payment_state"] == "Partiellement payée"
    assert page.context["can_credit"]
    assert page.context["can_pay"]
    assert not page.context["can_write_off"]  # 1,000.00 left is far above the tolerance
    assert f"/invoices/payments/new/?customer={invoice.customer_id}&document={invoice.pk}" in body
    assert "/books/gie/entries/" in body  # the invoice's entry and its payment's VAT move, in the GIE's book
    assert len(page.context["entries"]) == 2
    assert [row["vat"] for row in page.context["vat_rates"]] == [D("200.00")]


def test_pdf_and_ubl(staff: Any, docs: Any, fake_pdf: Any) -> None:
    invoice = docs["gie_hotel"]
    response = staff.get(f"/invoices/documents/{invoice.pk}/pdf/", {"lang": "ar"})
    assert (response.status_code, response.content) == (200, b"%PDF-1.7 fake")
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    assert fake_pdf == [(invoice.pk, "ar")]
    ubl = staff.get(f"/invoices/documents/{invoice.pk}/ubl/")
    assert ubl.status_code == 200
    assert invoice.number.encode() in ubl.content
    assert staff.get(f"/invoices/documents/{docs['draft'].pk}/ubl/").status_code == 404


def test_a_small_rest_is_written_off(staff: Any, world: dict[str, Any]) -> None:
    invoice = validated(world["gie"], world["hotel"], [line("Conseil", "1", "100.00")])  # 120.00
    payment_record(
        payer=world["hotel"], collected_by=world["gie"], documents=[invoice], received_on=DAY, method="cash",
        amount=D("119.50"), idempotency_key="t-wo",
    )  # fmt: skip
    assert staff.get(f"/invoices/documents/{invoice.pk}/").context["can_write_off"]
    staff.post(f"/invoices/documents/{invoice.pk}/write-off/")
    invoice.refresh_from_db()
    assert (invoice.amount_written_off, invoice.balance_due, invoice.payment_state) == (D("0.50"), D("0.00"), "paid")
    again = staff.post(f"/invoices/documents/{invoice.pk}/write-off/", follow=True)
    assert "Il ne reste rien à payer" in page_text(again)
    invoice.refresh_from_db()
    assert invoice.amount_written_off == D("0.50")


# Credit notes ----------------------------------------------------------------------------------------------------


def test_a_partial_credit_note_from_the_invoice_lines(staff: Any, docs: Any) -> None:
    invoice = docs["gie_hotel"]  # 10 × 100.00 + 20 % = 1,200.00
    page = staff.get(f"/invoices/documents/{invoice.pk}/credit/")
    assert page.status_code == 200
    assert 'name="lines-0-quantity" value="10"' in page_text(page)
    form = {
        "idempotency_key": "cn-1", "issued_on": "2026-10-07", "note": "Stands non montés",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-quantity": "11",
    }  # fmt: skip
    too_many = staff.post(f"/invoices/documents/{invoice.pk}/credit/", form)
    assert "Au plus la quantité facturée (10)." in page_text(too_many)
    form["lines-0-quantity"] = "6"
    response = staff.post(f"/invoices/documents/{invoice.pk}/credit/", form)
    staff.post(f"/invoices/documents/{invoice.pk}/credit/", form)  # the same page sent twice: one credit note
    credit = Document.objects.get(kind="credit_note")
    assert response["Location"] == f"/invoices/documents/{credit.pk}/"
    assert (credit.status, credit.total_gross, credit.corrects_id) == ("draft", D("720.00"), invoice.pk)
    # the draft credit note is edited in the document form: it stays a credit note on the same invoice
    edit = draft_post(
        invoice.customer, invoice.issuer, key="cn-edit",
        **{"issued_on": "2026-10-07", "lines-0-description": "Stand", "lines-0-quantity": "6",
           "lines-0-unit_price": "100,00", "lines-0-vat_code": "normal-20", "issuer": "999999"},
    )  # fmt: skip
    assert staff.post(f"/invoices/documents/{credit.pk}/edit/", edit).status_code == 302
    credit.refresh_from_db()
    assert (credit.kind, credit.corrects_id, credit.issuer_id, credit.total_gross) == (
        "credit_note", invoice.pk, invoice.issuer_id, D("720.00"),
    )  # fmt: skip
    staff.post(f"/invoices/documents/{credit.pk}/validate/")
    credit.refresh_from_db()
    invoice.refresh_from_db()
    assert credit.number == "AV-2026-00001"
    assert (invoice.amount_credited, invoice.creditable) == (D("720.00"), D("480.00"))
    # more than what is left to credit (480.00) is refused before anything is created
    form.update(idempotency_key="cn-2", **{"lines-0-quantity": "5"})  # 600.00
    refused = staff.post(f"/invoices/documents/{invoice.pk}/credit/", form)
    assert "dépasse ce qui reste à créditer" in page_text(refused)
    assert Document.objects.filter(kind="credit_note").count() == 1
    # a draft or a credit note has no credit page, in words
    assert "Un avoir corrige une facture validée" in page_text(staff.get(f"/invoices/documents/{credit.pk}/credit/"))


# Payments ------------------------------------------------------------------------------------------------------


def test_a_payment_through_the_form_makes_the_invoice_partly_paid(staff: Any, world: dict[str, Any]) -> None:
    hotel, gie = world["hotel"], world["gie"]
    first = validated(gie, hotel, [line("Stand", "1", "1000.00")])  # 1,200.00
    second = validated(gie, hotel, [line("Conseil", "1", "500.00")])  # 600.00
    assert staff.get("/invoices/payments/new/").status_code == 200  # step 1: the payer
    page = staff.get("/invoices/payments/new/", {"customer": hotel.pk, "document": first.pk})
    assert page.status_code == 200
    assert page.context["form"].initial["amount"] == "1200,00"  # as a person types it, never 1200.00
    url = f"/invoices/payments/new/?customer={hotel.pk}"
    data = {
        "idempotency_key": "pay-1", "collected_by": str(gie.pk), "received_on": "2026-10-10", "method": "transfer",
        "amount": "900,00", "reference": "VIR 77", "note": "", f"alloc_{first.pk}": "", f"alloc_{second.pk}": "",
    }  # fmt: skip
    response = staff.post(url, data)
    staff.post(url, data)  # sent twice: one payment
    payment = Payment.objects.get()
    assert response["Location"] == f"/invoices/payments/{payment.pk}/"
    first.refresh_from_db()
    second.refresh_from_db()
    # pro rata of what each owes: 900 × 1,200 / 1,800 = 600.00 and 300.00
    assert (first.amount_paid, first.balance_due, first.payment_state) == (D("600.00"), D("600.00"), "partly_paid")
    assert (second.amount_paid, second.balance_due) == (D("300.00"), D("300.00"))
    # by hand: 100.00 to the second invoice, 50.00 left as the customer's credit
    by_hand = {**data, "idempotency_key": "pay-2", "amount": "150,00", f"alloc_{second.pk}": "100,00"}
    staff.post(url, by_hand)
    second.refresh_from_db()
    assert second.amount_paid == D("400.00")
    credit = Payment.objects.get(idempotency_key__endswith="pay-2")
    detail = staff.get(f"/invoices/payments/{credit.pk}/")
    assert detail.context["unallocated"] == D("50.00")
    # the credit applied later, to the first invoice; the same page sent twice applies it once
    apply = {"allocated_on": "2026-10-12", "expected": "50.00", f"alloc_{first.pk}": "50,00", f"alloc_{second.pk}": ""}
    staff.post(f"/invoices/payments/{credit.pk}/allocate/", apply)
    again = staff.post(f"/invoices/payments/{credit.pk}/allocate/", apply, follow=True)
    assert "rien n'a été affecté" in page_text(again)
    first.refresh_from_db()
    assert first.amount_paid == D("650.00")
    listing = staff.get("/invoices/payments/", {"payer": hotel.code})
    assert listing.context["total"] == D("1050.00")
    exported = rows_of(staff.get("/invoices/payments/", {"export": "csv"}))
    assert exported[0][:3] == ["Date", "Payeur", "ICE du payeur"]
    assert len(exported) == 3


def test_a_cheque_is_cashed_from_its_page(staff: Any, world: dict[str, Any]) -> None:
    invoice = validated(world["gie"], world["hotel"], [line("Conseil", "1", "100.00")])
    cheque = payment_record(
        payer=world["hotel"], collected_by=world["gie"], documents=[invoice], received_on=DAY, method="cheque",
        amount=D("120.00"), reference="CHQ 12", idempotency_key="t-chq",
    )  # fmt: skip
    pending = staff.get("/invoices/payments/", {"pending": "on"}).context
    assert [p.pk for p in pending["page"]] == [cheque.pk]
    assert staff.post(f"/invoices/payments/{cheque.pk}/cash/", {"cashed_on": "2026-02-30"}).status_code == 302
    cheque.refresh_from_db()
    assert cheque.cashed_on is None  # an impossible date is refused, in words
    staff.post(f"/invoices/payments/{cheque.pk}/cash/", {"cashed_on": "2026-10-08"})
    cheque.refresh_from_db()
    assert cheque.cashed_on == date(2026, 10, 8)
    assert staff.get("/invoices/payments/", {"pending": "on"}).context["count"] == 0


# Bundles -----------------------------------------------------------------------------------------------------------


def test_the_bundle_page_sums_its_documents_and_validates_them_all(staff: Any, world: dict[str, Any]) -> None:
    bundle = bundle_create(
        customer=world["hotel"], issued_on=DAY, reference="BC-7",
        parts=[(world["exempt"], [line("Huile", "1", "100.00")]), (world["gie"], [line("Livraison", "1", "80.00")])],
    )  # fmt: skip
    page = staff.get(f"/invoices/bundles/{bundle.pk}/")
    assert page.context["total_gross"] == D("196.00")
    staff.post(f"/invoices/bundles/{bundle.pk}/validate/")
    assert set(Bundle.objects.get().documents.values_list("status", flat=True)) == {"validated"}
    assert staff.get("/invoices/bundles/999999/").status_code == 404


# Who may do what ---------------------------------------------------------------------------------------------


def test_a_representative_reads_its_own_documents_and_nothing_else(rep_exempt: Any, docs: Any, fake_pdf: Any) -> None:
    client = rep_exempt
    for name in ("mandate_a", "to_a"):
        assert client.get(f"/invoices/documents/{docs[name].pk}/").status_code == 200, name
        assert client.get(f"/invoices/documents/{docs[name].pk}/pdf/").status_code == 200, name
    mandate_b = docs["mandate_b"].pk
    assert client.get(f"/invoices/documents/{mandate_b}/").status_code == 404
    assert client.get(f"/invoices/documents/{mandate_b}/pdf/").status_code == 404
    assert client.get("/invoices/documents/999999/pdf/").status_code == 404
    page = page_text(client.get(f"/invoices/documents/{docs['mandate_a'].pk}/"))
    assert "/books/" not in page  # no ledger links for a cooperative
    assert "document-validate" not in page
    payment = Payment.objects.get()
    for url in (
        "/invoices/documents/", "/invoices/documents/new/", f"/invoices/documents/{docs['to_a'].pk}/edit/",
        f"/invoices/documents/{docs['to_a'].pk}/credit/", f"/invoices/documents/{docs['to_a'].pk}/ubl/",
        "/invoices/payments/", "/invoices/payments/new/", f"/invoices/payments/{payment.pk}/",
        "/invoices/parties/search/?q=h", f"/invoices/bundles/{docs['to_a'].pk}/",
    ):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post(f"/invoices/documents/{docs['to_a'].pk}/validate/").status_code == 403


def test_the_auditor_reads_and_changes_nothing(client: Any, docs: Any) -> None:
    client.force_login(UserFactory(username="auditeur", role=Role.AUDITOR))
    assert client.get("/invoices/documents/").status_code == 200
    assert client.get(f"/invoices/documents/{docs['draft'].pk}/").status_code == 200
    assert client.get("/invoices/payments/").status_code == 200
    assert client.get("/invoices/documents/new/").status_code == 403
    assert client.post(f"/invoices/documents/{docs['draft'].pk}/validate/").status_code == 403
    assert Document.objects.get(pk=docs["draft"].pk).is_draft


def test_other_roles_get_403(client: Any, docs: Any) -> None:
    client.force_login(UserFactory(username="trainer", role=Role.TRAINER))
    assert client.get(f"/invoices/documents/{docs['draft'].pk}/").status_code == 403
    assert client.get("/invoices/documents/").status_code == 403


def test_the_party_search_answers_json(staff: Any, world: dict[str, Any]) -> None:
    results = staff.get("/invoices/parties/search/", {"q": "contin"}).json()["results"]
    assert results == [
        {"id": world["hotel"].pk, "code": "hotel-tanger", "name": "Hôtel Continental", "name_ar": "",
         "ice": world["hotel"].ice},
    ]  # fmt: skip
    assert staff.get("/invoices/parties/search/", {"q": "x" * 5000}).status_code == 200


# The portal ----------------------------------------------------------------------------------------------------


def test_the_portal_lists_the_cooperatives_invoices_on_a_phone(rep_exempt: Any, docs: Any) -> None:
    response = rep_exempt.get("/portal/invoices/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert [(d.pk, left) for d, left in response.context["issued"]] == [(docs["mandate_a"].pk, "500,00")]
    assert [d.pk for d, _left in response.context["received"]] == [docs["to_a"].pk]
    body = page_text(response)
    assert f"/invoices/documents/{docs['mandate_a'].pk}/pdf/" in body
    assert '<span class="amount" dir="ltr">500,00</span>' in body
    assert docs["mandate_b"].number not in body or docs["mandate_b"].number == docs["mandate_a"].number
    assert f"/invoices/documents/{docs['mandate_b'].pk}/" not in body
    home = page_text(rep_exempt.get("/"))
    assert 'href="/portal/invoices/"' in home


def test_the_portal_page_is_for_representatives(staff: Any) -> None:
    assert staff.get("/portal/invoices/").status_code == 403


# Odd input -------------------------------------------------------------------------------------------------------


def test_odd_input_answers_with_a_message_or_a_404_never_a_500(staff: Any, world: dict[str, Any], docs: Any) -> None:
    hotel, gie = world["hotel"], world["gie"]
    for url in (
        "/invoices/documents/999999/", "/invoices/documents/999999/edit/", "/invoices/documents/999999/credit/",
        "/invoices/documents/999999/pdf/", "/invoices/documents/999999/ubl/", "/invoices/payments/999999/",
    ):  # fmt: skip
        assert staff.get(url).status_code == 404, url
    assert staff.post("/invoices/documents/999999/validate/").status_code == 404
    odd_lists = (
        {"page": "abc"}, {"start": "2026-02-30"}, {"end": "garbage"}, {"issuer": "abc"}, {"customer": "nobody"},
        {"paid": "<script>"}, {"kind": "x" * 500}, {"q": "'; DROP TABLE"}, {"overdue": "maybe"},
    )  # fmt: skip
    for query in odd_lists:
        assert staff.get("/invoices/documents/", query).status_code == 200, query
        assert staff.get("/invoices/payments/", query).status_code == 200, query
    for field, value, message in (
        ("lines-0-quantity", "abc", "n'est pas une quantité"),
        ("lines-0-quantity", "0", "La quantité doit être positive."),
        ("lines-0-unit_price", "1e9", "notation scientifique"),
        ("lines-0-unit_price", "abc", "n'est pas un montant"),
        ("lines-0-discount", "150", "de 0 à 100"),
        ("issued_on", "2026-02-30", "Saisissez une date valide"),
        ("issued_on", "0001-01-01", "Date hors des limites"),
        ("customer", "nobody-at-all", "Client introuvable"),
        ("issuer", "999999", "Sélectionnez un choix valide"),
        ("lines-TOTAL_FORMS", "100000", "Veuillez soumettre au plus"),
    ):
        response = staff.post(
            "/invoices/documents/new/", draft_post(hotel, gie, key=f"odd-{field}-{value}", **{field: value})
        )
        assert response.status_code == 200, (field, value)
        assert message in page_text(response), (field, value)
    # a line larger than any book holds: 999 999 999 × 999 999 999,99
    huge = draft_post(hotel, gie, key="huge", **{"lines-0-quantity": "999999999", "lines-0-unit_price": "999999999,99"})
    assert "Montant trop grand" in page_text(staff.post("/invoices/documents/new/", huge))
    no_management = staff.post("/invoices/documents/new/", {"issuer": str(gie.pk), "customer": hotel.code})
    assert no_management.status_code == 200
    assert not Document.objects.exclude(pk__in=[d.pk for d in docs.values()]).exists()
    # the payment form: an exponent, text, an amount too large, an impossible date
    url = f"/invoices/payments/new/?customer={hotel.pk}"
    base = {"idempotency_key": "odd-pay", "collected_by": str(gie.pk), "received_on": "2026-10-10", "method": "cash"}
    for amount, message in (("1e9", "notation scientifique"), ("abc", "n'est pas un montant"),
                            ("99999999999", "dépasse le plus grand montant"), ("0", "doit être positif")):  # fmt: skip
        response = staff.post(url, {**base, "amount": amount})
        assert response.status_code == 200, amount
        assert message in page_text(response), amount
    assert staff.post(url, {**base, "amount": "10,00", "received_on": "2026-02-30"}).status_code == 200
    assert staff.post(url, {**base, "amount": "10,00", "collected_by": "abc"}).status_code == 200
    assert staff.post(url, {**base, "amount": "10,00", "method": "bitcoin"}).status_code == 200
    future = (timezone.localdate() + timedelta(days=40)).isoformat()
    assert "dans le futur" in page_text(staff.post(url, {**base, "amount": "10,00", "received_on": future}))
    assert Payment.objects.count() == 1  # the fixture's only
    assert staff.get("/invoices/payments/new/", {"customer": "nobody"}).status_code == 200
    # an allocation larger than the invoice's rest is refused by the service, in words
    invoice = docs["mandate_a"]
    too_much = {**base, "amount": "600,00", "collected_by": str(gie.pk), f"alloc_{invoice.pk}": "600,00"}
    response = staff.post(url, too_much)
    assert "dépasse le reste dû" in page_text(response)


# The live totals in the browser ----------------------------------------------------------------------------------


def test_the_scripts_line_arithmetic_matches_the_server(tmp_path: Path) -> None:
    """invoice_form.js rounds each line like invoices/totals.py: exact integers, half-up, never a float."""
    from invoices.totals import line_amounts

    cases = [
        ("3", "33,33", "", "0.2000"),
        ("1", "10,1250", "", "0.2000"),
        ("2", "6,125", "", "0.1000"),  # 6,125 is ambiguous in the amount grammar: refused, like the server
        ("2,5", "19,99", "12,5", "0.2000"),
        ("1,001", "0,01", "", "0.1000"),
        ("999", "1 234,56", "33,33", "0.2000"),
    ]
    script = Path(__file__).resolve().parents[2] / "static" / "js"
    runner = tmp_path / "run.mjs"
    runner.write_text(
        "globalThis.document = { querySelectorAll: () => [], getElementById: () => null };\n"
        f"const m = await import('{script / 'invoice_form.js'}');\n"
        f"const cases = {json.dumps(cases)};\n"
        "const out = cases.map(([q, p, d, r]) => {\n"
        "  const qq = m.parseQuantity(q), pp = m.parsePrice(p), dd = m.parsePercent(d);\n"
        "  if (qq.error || pp.error || dd.error) return 'refused';\n"
        "  const [u, f = ''] = r.split('.');\n"
        "  const rate = BigInt(u) * 10000n + BigInt(f.padEnd(4, '0'));\n"
        "  const a = m.lineCentimes(qq.value, pp.value, dd.value, rate);\n"
        "  return [String(a.net), String(a.vat)];\n"
        "});\n"
        "console.log(JSON.stringify(out));\n"
    )
    result = subprocess.run(["node", str(runner)], capture_output=True, text=True, check=True, timeout=30)
    got = json.loads(result.stdout)
    from invoices.forms import parse_percent, parse_quantity, parse_unit_price

    for (quantity, price, discount, rate), answer in zip(cases, got, strict=True):
        try:
            amounts = line_amounts(
                quantity=parse_quantity(quantity),
                unit_price=parse_unit_price(price),
                discount_rate=parse_percent(discount) if discount else D("0"),
                vat_rate=D(rate),
            )
        except Exception:
            assert answer == "refused", (quantity, price)
            continue
        assert answer == [str(int(amounts.net * 100)), str(int(amounts.vat * 100))], (quantity, price, discount)


def test_a_representative_downloads_the_printed_invoice(rep_exempt: Any, docs: Any) -> None:
    """The real invoices.pdf, once: the portal's PDF link answers a PDF, in Arabic when asked."""
    response = rep_exempt.get(f"/invoices/documents/{docs['to_a'].pk}/pdf/", {"lang": "ar"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'inline; filename="{docs["to_a"].number}.pdf"'


# Regressions found walking the pages as the accountant -----------------------------------------------------------


def test_the_payment_form_fills_amounts_the_french_way_and_says_a_refusal_once(
    staff: Any, world: dict[str, Any]
) -> None:
    hotel, gie = world["hotel"], world["gie"]
    invoice = validated(gie, hotel, [line("Stand", "1", "1000.00")])  # 1,200.00
    page = staff.get("/invoices/payments/new/", {"customer": hotel.pk, "document": invoice.pk})
    text = page_text(page)
    assert 'value="1200,00"' in text
    assert 'value="1200.00"' not in text
    assert "data-over=" in text  # the script warns when the allocations pass the amount
    data = {
        "idempotency_key": "pay-over", "collected_by": str(gie.pk), "received_on": "2026-10-10",
        "method": "transfer", "amount": "500,00", "reference": "", "note": "", f"alloc_{invoice.pk}": "1200,00",
    }  # fmt: skip
    refused = page_text(staff.post(f"/invoices/payments/new/?customer={hotel.pk}", data))
    assert "Le paiement n'est pas enregistré : corrigez les champs signalés." in refused
    assert refused.count("dépassent le montant disponible") == 1  # above the form, not a second time in the banner
    assert not Payment.objects.exists()


def test_a_write_off_and_a_too_large_credit_note_print_amounts_the_french_way(
    staff: Any, world: dict[str, Any]
) -> None:
    invoice = validated(world["gie"], world["hotel"], [line("Conseil", "10", "100.00")])  # 1,200.00
    payment_record(
        payer=world["hotel"], collected_by=world["gie"], documents=[invoice], received_on=DAY, method="cash",
        amount=D("1199.50"), idempotency_key="t-wo-fr",
    )  # fmt: skip
    done = page_text(staff.post(f"/invoices/documents/{invoice.pk}/write-off/", follow=True))
    assert "Écart de 0,50 passé en perte." in done
    form = {
        "idempotency_key": "cn-fr", "issued_on": "2026-10-07", "note": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-quantity": "10",
    }  # fmt: skip
    staff.post(f"/invoices/documents/{invoice.pk}/credit/", {**form, "lines-0-quantity": "5"})
    credit = Document.objects.get(kind="credit_note")
    staff.post(f"/invoices/documents/{credit.pk}/validate/")
    refused = page_text(staff.post(f"/invoices/documents/{invoice.pk}/credit/", form))
    assert f"L'avoir (1{NNBSP}200,00) dépasse" in refused
    assert "(600,00)" in refused
    assert Document.objects.filter(kind="credit_note").count() == 1


def test_an_invoice_credited_past_its_payments_shows_an_overpayment_not_a_negative_rest(
    staff: Any, world: dict[str, Any]
) -> None:
    invoice = validated(world["gie"], world["hotel"], [line("Stand", "2", "1000.00")])  # 2,400.00
    payment_record(
        payer=world["hotel"], collected_by=world["gie"], documents=[invoice], received_on=DAY, method="transfer",
        amount=D("1200.00"), idempotency_key="t-over",
    )  # fmt: skip
    form = {
        "idempotency_key": "cn-all", "issued_on": "2026-10-07", "note": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-quantity": "2",
    }  # fmt: skip
    staff.post(f"/invoices/documents/{invoice.pk}/credit/", form)
    staff.post(f"/invoices/documents/{Document.objects.get(kind='credit_note').pk}/validate/")
    page = staff.get(f"/invoices/documents/{invoice.pk}/")
    text = page_text(page)
    assert page.context["overpaid"] == D("1200.00")
    assert 'id="overpaid"' in text
    assert "Trop-perçu" in text
    assert 'id="left-to-pay"' not in text
    assert "-1" not in text.split('id="document-totals"')[1].split("</table>")[0]


def test_a_unit_price_is_grouped_by_thousands_on_the_page(staff: Any, world: dict[str, Any]) -> None:
    invoice = validated(world["gie"], world["hotel"], [line("Stand", "3", "1500.00"), line("Page", "7", "12.3456")])
    lines = staff.get(f"/invoices/documents/{invoice.pk}/").context["lines"]
    assert [price for _line, _quantity, price, _percent in lines] == [f"1{NNBSP}500,00", "12,3456"]
    rows = staff.get(f"/invoices/documents/{invoice.pk}/credit/").context["rows"]
    assert rows[0][3] == f"1{NNBSP}500,00"
    # the form still gets it back as typed, without the thousands space
    draft = document_save_draft(
        issuer=world["gie"], customer=world["hotel"], issued_on=DAY, lines=[line("S", "1", "1500.00")]
    )
    assert 'value="1500,00"' in page_text(staff.get(f"/invoices/documents/{draft.pk}/edit/"))


def test_the_list_filters_speak_plainly(staff: Any, world: dict[str, Any], docs: Any) -> None:
    page = staff.get("/invoices/documents/")
    assert '<option value="" selected>Tous</option>' in page_text(page).split('name="issuer"')[1].split("</select>")[0]
    # part of a name only one customer bears filters on that customer; a part several bear says so
    partial = staff.get("/invoices/documents/", {"customer": "continental"})
    assert partial.context["form"].is_valid()
    assert {d.customer_id for d in partial.context["page"]} == {world["hotel"].pk}
    Party.objects.create(code="riad-continental", legal_name_fr="Riad Continental", city="Tanger")
    ambiguous = staff.get("/invoices/documents/", {"customer": "continental"})
    assert "Client introuvable" in page_text(ambiguous)
    # dates the wrong way round: said, not an empty list without a word
    reversed_dates = staff.get("/invoices/documents/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert "La date de fin précède la date de début" in page_text(reversed_dates)
    payments = staff.get("/invoices/payments/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert "La date de fin précède la date de début" in page_text(payments)


def test_the_form_script_knows_each_issuers_default_nature(staff: Any, world: dict[str, Any]) -> None:
    """Switching the issuer from the GIE to a cooperative switches the lines to products (invoice_form.js)."""
    kinds = staff.get("/invoices/documents/new/").context["script_data"]["kinds"]
    assert kinds[str(world["gie"].pk)] == "service"
    assert kinds[str(world["exempt"].pk)] == kinds[str(world["registered"].pk)] == "product"
