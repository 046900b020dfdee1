"""UBL 2.1 export: documents built by hand with the ORM (figures worked out below), exported, read back.

The invoice mixes three rates (DocumentTax rows computed by hand, per line, half-up):
  huile d'argan   3 × 150.00 less 10 % = 405.00 net, 20 % → 81.00
  formation       2.5 × 33.33 = 83.325 → 83.33 net, 10 % → 8.333 → 8.33
  couscous        10 kg × 12.345 = 123.45 net, exempt (art. 91) → 0.00
  totals          net 611.78, VAT 89.33, gross 701.11
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from invoices.einvoicing import NullSubmitter, SubmissionResult, submitter
from invoices.models import Document, DocumentLine, DocumentTax, Party, VatRate
from invoices.ubl import CREDIT_NOTE_NS, INVOICE_NS, PROFILE_ID, document_ubl, ubl_read, unit_code
from members.models import Organization
from tests.factories.members import valid_ice

pytestmark = pytest.mark.django_db

MARCH_12 = date(2026, 3, 12)
ART_91 = "CGI art. 91 — exonération sans droit à déduction"


def issuer_snapshot(organization: Organization, **extra: str) -> dict[str, str]:
    is_gie = organization.kind == Organization.Kind.GIE
    return {
        "name_fr": organization.legal_name_fr,
        "name_ar": organization.legal_name_ar,
        "address": "Route de Tiznit, km 4",
        "city": "Agadir",
        "ice": organization.ice,
        "if_number": "40123456",
        "tp_number": "48765432",
        "rc_number": "RC 5678 Agadir" if is_gie else "",
        "register_number": "" if is_gie else "ODCO 2019/123",
        "kind": organization.kind,
        "vat_status": "registered" if is_gie else "exempt",
        "vat_legal_reference": "" if is_gie else "CGI art. 91-IV-1",
        "bank_account": "011780000012345678901234",
        "payment_means": "Virement ou chèque",
        **extra,
    }


def customer_snapshot(party: Party) -> dict[str, str]:
    return {
        "name_fr": party.legal_name_fr,
        "name_ar": party.legal_name_ar,
        "address": party.address,
        "city": party.city,
        "ice": party.ice,
        "if_number": party.if_number,
        "rc_number": party.rc_number,
        "kind": party.kind,
    }


@pytest.fixture
def rates() -> dict[str, VatRate]:
    codes = ("normal-20", "reduit-10", "exonere-91")
    return {code: VatRate.objects.get(code=code, valid_from=date(2024, 1, 1)) for code in codes}


@pytest.fixture
def hotel() -> Party:
    return Party.objects.create(
        code="hotel-atlas",
        legal_name_fr="Hôtel Atlas SARL",
        legal_name_ar="فندق الأطلس",
        ice=valid_ice(900_001),
        if_number="45678901",
        rc_number="RC 12345 Marrakech",
        address="12 avenue Mohammed V",
        city="Marrakech",
    )


def validate(document: Document) -> Document:
    """Mark a document built by hand as validated once its lines are written (on PostgreSQL a validated
    document's lines cannot change: migration invoices/0005)."""
    Document.objects.filter(pk=document.pk).update(status=Document.Status.VALIDATED)
    document.status = Document.Status.VALIDATED
    return document


def make_invoice(
    issuer: Organization, customer: Party, rates: dict[str, VatRate], first_line: str = "", **snapshot: str
) -> Document:
    invoice = Document.objects.create(
        issuer=issuer,
        kind=Document.Kind.INVOICE,
        status=Document.Status.DRAFT,
        customer=customer,
        issued_on=MARCH_12,
        due_on=date(2026, 4, 11),
        number="F-2026-00001",
        year=2026,
        sequence=1,
        payment_terms="30 jours fin de mois",
        total_net=Decimal("611.78"),
        total_vat=Decimal("89.33"),
        total_gross=Decimal("701.11"),
        issuer_snapshot=issuer_snapshot(issuer, **snapshot),
        customer_snapshot=customer_snapshot(customer),
    )
    lines = [
        ("Huile d'argan 1 l", "زيت الأركان", "3", "l", "150.00", "0.1000", "normal-20", "405.00", "81.00"),
        ("Formation hygiène", "", "2.5", "h", "33.33", "0", "reduit-10", "83.33", "8.33"),
        ("Couscous artisanal", "", "10", "kg", "12.3450", "0", "exonere-91", "123.45", "0.00"),
    ]
    for position, (name, name_ar, quantity, unit, price, discount, rate, net, vat) in enumerate(lines):
        DocumentLine.objects.create(
            document=invoice,
            position=position,
            description=first_line if first_line and position == 0 else name,
            description_ar=name_ar,
            quantity=Decimal(quantity),
            unit=unit,
            unit_price=Decimal(price),
            discount_rate=Decimal(discount),
            vat_rate=rates[rate],
            net=Decimal(net),
            vat=Decimal(vat),
        )
    for rate, net, vat in [
        ("normal-20", "405.00", "81.00"),
        ("reduit-10", "83.33", "8.33"),
        ("exonere-91", "123.45", "0.00"),
    ]:
        DocumentTax.objects.create(document=invoice, vat_rate=rates[rate], net=Decimal(net), vat=Decimal(vat))
    return validate(invoice)


def make_credit_note(invoice: Document, rates: dict[str, VatRate]) -> Document:
    """One bottle of argan oil returned: 1 × 150.00 less 10 % = 135.00, VAT 27.00."""
    credit_note = Document.objects.create(
        issuer=invoice.issuer,
        kind=Document.Kind.CREDIT_NOTE,
        status=Document.Status.DRAFT,
        customer=invoice.customer,
        corrects=invoice,
        issued_on=date(2026, 3, 20),
        number="AV-2026-00001",
        total_net=Decimal("135.00"),
        total_vat=Decimal("27.00"),
        total_gross=Decimal("162.00"),
        issuer_snapshot=invoice.issuer_snapshot,
        customer_snapshot=invoice.customer_snapshot,
    )
    DocumentLine.objects.create(
        document=credit_note,
        description="Huile d'argan 1 l (retour)",
        quantity=Decimal("1"),
        unit="l",
        unit_price=Decimal("150.00"),
        discount_rate=Decimal("0.1000"),
        vat_rate=rates["normal-20"],
        net=Decimal("135.00"),
        vat=Decimal("27.00"),
    )
    DocumentTax.objects.create(
        document=credit_note, vat_rate=rates["normal-20"], net=Decimal("135.00"), vat=Decimal("27.00")
    )
    return validate(credit_note)


def test_an_invoice_reads_back_with_its_totals_rates_and_identifiers(
    gie: Organization, hotel: Party, rates: dict[str, VatRate]
) -> None:
    read = ubl_read(document_ubl(make_invoice(gie, hotel, rates)))

    assert (read["kind"], read["type_code"], read["number"]) == ("invoice", "380", "F-2026-00001")
    assert (read["issued_on"], read["due_on"], read["currency"]) == (MARCH_12, date(2026, 4, 11), "MAD")
    assert read["profile_id"] == PROFILE_ID
    assert read["totals"] == {
        "vat": Decimal("89.33"),
        "lines": Decimal("611.78"),
        "net": Decimal("611.78"),
        "gross": Decimal("701.11"),
        "payable": Decimal("701.11"),
    }
    assert read["taxes"] == [
        {"category": "S", "percent": Decimal("20.00"), "net": Decimal("405.00"), "vat": Decimal("81.00"),
         "exemption_reason": ""},
        {"category": "S", "percent": Decimal("10.00"), "net": Decimal("83.33"), "vat": Decimal("8.33"),
         "exemption_reason": ""},
        {"category": "E", "percent": Decimal("0.00"), "net": Decimal("123.45"), "vat": Decimal("0.00"),
         "exemption_reason": ART_91},
    ]  # fmt: skip
    assert read["supplier"]["ids"] == {
        "MA:ICE": gie.ice,
        "MA:IF": "40123456",
        "MA:RC": "RC 5678 Agadir",
        "MA:TP": "48765432",
    }
    assert read["customer"]["ids"] == {"MA:ICE": hotel.ice, "MA:IF": "45678901", "MA:RC": "RC 12345 Marrakech"}
    assert (read["supplier"]["legal_id"], read["customer"]["legal_id"]) == (gie.ice, hotel.ice)
    assert (read["customer"]["name"], read["customer"]["name_ar"]) == ("Hôtel Atlas SARL", "فندق الأطلس")
    assert read["customer"]["city"] == "Marrakech"
    assert read["supplier"]["vat_exemption_reason"] == ""  # the GIE is registered
    assert (read["billing_reference"], read["payee"], read["notes"]) == (None, None, [])


def test_each_line_reads_back_with_its_quantity_unit_price_and_rate(
    gie: Organization, hotel: Party, rates: dict[str, VatRate]
) -> None:
    xml = document_ubl(make_invoice(gie, hotel, rates))

    lines = ubl_read(xml)["lines"]
    assert [(line["name"], line["quantity"], line["unit_code"]) for line in lines] == [
        ("Huile d'argan 1 l", Decimal("3"), "LTR"),
        ("Formation hygiène", Decimal("2.5"), "HUR"),
        ("Couscous artisanal", Decimal("10"), "KGM"),
    ]
    assert [(line["net"], line["unit_price"], line["category"], line["percent"]) for line in lines] == [
        (Decimal("405.00"), Decimal("150.00"), "S", Decimal("20.00")),
        (Decimal("83.33"), Decimal("33.33"), "S", Decimal("10.00")),
        (Decimal("123.45"), Decimal("12.345"), "E", Decimal("0.00")),
    ]
    assert sum(line["net"] for line in lines) == Decimal("611.78")
    assert b'<cbc:PriceAmount currencyID="MAD">150.00</cbc:PriceAmount>' in xml
    assert b'<cbc:PriceAmount currencyID="MAD">12.345</cbc:PriceAmount>' in xml  # the 4th decimal is 0: dropped
    # the 10 % discount on 450.00: an allowance of 45.00, so 450.00 - 45.00 = the line's 405.00
    assert b'<cbc:Amount currencyID="MAD">45.00</cbc:Amount><cbc:BaseAmount currencyID="MAD">450.00' in xml
    assert '<cbc:Description languageID="ar">زيت الأركان</cbc:Description>'.encode() in xml


def test_a_credit_note_refers_to_the_invoice_it_corrects(
    gie: Organization, hotel: Party, rates: dict[str, VatRate]
) -> None:
    xml = document_ubl(make_credit_note(make_invoice(gie, hotel, rates), rates))

    assert SafeET.fromstring(xml).tag == f"{{{CREDIT_NOTE_NS}}}CreditNote"
    read = ubl_read(xml)
    assert (read["kind"], read["type_code"], read["number"]) == ("credit_note", "381", "AV-2026-00001")
    assert read["billing_reference"] == {"number": "F-2026-00001", "issued_on": MARCH_12}
    assert read["due_on"] is None
    assert (read["totals"]["net"], read["totals"]["gross"]) == (Decimal("135.00"), Decimal("162.00"))
    assert [(tax["net"], tax["vat"]) for tax in read["taxes"]] == [(Decimal("135.00"), Decimal("27.00"))]
    assert [(line["name"], line["quantity"], line["net"]) for line in read["lines"]] == [
        ("Huile d'argan 1 l (retour)", Decimal("1"), Decimal("135.00"))
    ]
    assert b"<cac:CreditNoteLine>" in xml
    assert b"InvoiceLine" not in xml


def test_a_mandate_invoice_names_the_gie_as_mandatary_and_payee(
    gie: Organization, coop_a: Organization, hotel: Party, rates: dict[str, VatRate]
) -> None:
    frozen = {"mandatary_name_fr": "GIE Souss (nom gelé)", "mandatary_name_ar": "", "mandatary_ice": gie.ice}
    read = ubl_read(document_ubl(make_invoice(coop_a, hotel, rates, **frozen)))

    assert read["supplier"]["ids"] == {
        "MA:ICE": coop_a.ice,
        "MA:IF": "40123456",
        "MA:TP": "48765432",
        "MA:ODCO": "ODCO 2019/123",  # a cooperative has a register number, no RC
    }
    assert read["supplier"]["name"] == "Coopérative Alpha"
    assert read["supplier"]["vat_exemption_reason"] == "CGI art. 91-IV-1"
    assert read["payee"]["ids"] == {"MA:ICE": gie.ice}
    assert read["payee"]["name"] == "GIE Souss (nom gelé)"  # as frozen at validation, not as it is now
    assert read["notes"] == [
        f"Facturé par GIE Souss (nom gelé), groupement d'intérêt économique (ICE {gie.ice}), "
        f"au nom et pour le compte de Coopérative Alpha (ICE {coop_a.ice})"
    ]


def test_a_mandate_invoice_without_a_frozen_mandatary_names_the_gie_as_it_is(
    gie: Organization, coop_a: Organization, hotel: Party, rates: dict[str, VatRate]
) -> None:
    read = ubl_read(document_ubl(make_invoice(coop_a, hotel, rates)))

    assert (read["payee"]["name"], read["payee"]["ids"]) == ("GIE Test", {"MA:ICE": gie.ice})
    assert "au nom et pour le compte de Coopérative Alpha" in read["notes"][0]


def test_the_export_is_well_formed_ubl_with_its_namespaces(
    gie: Organization, hotel: Party, rates: dict[str, VatRate]
) -> None:
    xml = document_ubl(make_invoice(gie, hotel, rates))

    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<Invoice xmlns=\"" + INVOICE_NS.encode())
    root = SafeET.fromstring(xml)
    assert root.tag == f"{{{INVOICE_NS}}}Invoice"
    cbc = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
    assert [child.tag.removeprefix(cbc) for child in root][:8] == [
        "UBLVersionID",
        "CustomizationID",
        "ProfileID",
        "ID",
        "IssueDate",
        "DueDate",
        "InvoiceTypeCode",
        "DocumentCurrencyCode",
    ]


def test_hostile_text_is_escaped_and_control_characters_dropped(gie: Organization, rates: dict[str, VatRate]) -> None:
    shady = Party.objects.create(code="shady", kind=Party.Kind.CONSUMER, legal_name_fr="<&\"'>", address="]]> &amp;")
    invoice = make_invoice(gie, shady, rates, first_line="</cbc:Name><evil/>")
    invoice.customer_snapshot["name_ar"] = "\x00a\x01b\x08c\x0bd\x0ce\x1bf\rg\ttab\nnewline\ufffe"  # not saved

    xml = document_ubl(invoice)

    read = ubl_read(xml)
    assert read["customer"]["name"] == "<&\"'>"
    assert read["customer"]["registration_name"] == "<&\"'>"
    assert read["customer"]["street"] == "]]> &amp;"
    assert read["customer"]["name_ar"] == "abcdefg\ttab\nnewline"  # what XML 1.0 can carry
    assert read["lines"][0]["name"] == "</cbc:Name><evil/>"
    assert b"<evil/>" not in xml
    assert b"&lt;&amp;\"'&gt;" in xml


def test_a_draft_is_not_exported(gie: Organization, hotel: Party, rates: dict[str, VatRate]) -> None:
    invoice = make_invoice(gie, hotel, rates)
    invoice.status, invoice.number = Document.Status.DRAFT, ""

    with pytest.raises(ValueError, match="validated"):
        document_ubl(invoice)


@pytest.mark.parametrize(
    ("typed", "code"), [("kg", "KGM"), ("Litres", "LTR"), ("pièces", "H87"), ("", "C62"), ("pot", "C62")]
)
def test_unit_codes(typed: str, code: str) -> None:
    assert unit_code(typed) == code


# --- e-invoicing seam --------------------------------------------------------------------------------------------


class RecordingSubmitter:
    sent: list[bytes] = []

    def submit(self, document: Any, xml: bytes) -> SubmissionResult:
        self.sent.append(xml)
        return SubmissionResult(state="submitted", reference=f"TEST-{document.number}")


class NotASubmitter:
    pass


@override_settings(GIE_EINVOICE_SUBMITTER="")
def test_without_a_setting_nothing_is_submitted(gie: Organization, hotel: Party, rates: dict[str, VatRate]) -> None:
    invoice = make_invoice(gie, hotel, rates)

    chosen = submitter()

    assert isinstance(chosen, NullSubmitter)
    result = chosen.submit(invoice, document_ubl(invoice))
    assert (result.state, result.reference) == (Document.Submission.NOT_SUBMITTED, "")
    assert result.state == "not_submitted"


@override_settings(GIE_EINVOICE_SUBMITTER="tests.invoices.test_ubl.RecordingSubmitter")
def test_the_configured_submitter_is_used(gie: Organization, hotel: Party, rates: dict[str, VatRate]) -> None:
    invoice = make_invoice(gie, hotel, rates)
    xml = document_ubl(invoice)

    result = submitter().submit(invoice, xml)

    assert result == SubmissionResult(state="submitted", reference="TEST-F-2026-00001")
    assert RecordingSubmitter.sent[-1] == xml


@pytest.mark.parametrize("path", ["tests.invoices.test_ubl.NotASubmitter", "tests.invoices.no_such_module.Thing"])
def test_a_wrong_submitter_setting_is_refused(path: str) -> None:
    with override_settings(GIE_EINVOICE_SUBMITTER=path), pytest.raises(ImproperlyConfigured):
        submitter()
