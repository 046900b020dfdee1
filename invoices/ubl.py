"""UBL 2.1 export of a validated document (an Invoice, or a CreditNote referring to the invoice it corrects), and
the reader the tests use to check what the export says.

No Moroccan e-invoicing specification is published yet (DGI clearance is announced, DESIGN.md): the export claims
no national profile. ``CustomizationID`` and ``ProfileID`` say it is gie_erp's own UBL 2.1 export pending that
specification; the Moroccan identifiers travel as ``schemeID`` "MA:ICE", "MA:IF", "MA:RC", "MA:TP" and "MA:ODCO"
(the cooperative register). Everything printed comes from what validation froze: the document's number, dates
and totals, its ``DocumentTax`` rows, its lines, and the issuer and customer snapshots — never the live parties.

Elements follow the UBL 2.1 schema's sequence. Amounts are written from Decimals ("1234.50"); text is stripped of
the control characters XML 1.0 cannot carry, and the rest is escaped by ElementTree. Reading goes through
defusedxml (no DTD, no entity expansion).
"""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET  # builds only: parsing goes through defusedxml

from defusedxml import ElementTree as SafeET

from gie_erp.core.money import is_mad, to_mad
from invoices.models import Document, DocumentLine, DocumentTax, VatRate
from members.models import Organization

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION_ID = "urn:gie-erp:ubl-2.1:export:1.0"  # our own export: no national customization exists yet
PROFILE_ID = "urn:gie-erp:profile:pending-dgi-specification"
INVOICE_TYPE_CODE = "380"  # UNCL1001 commercial invoice
CREDIT_NOTE_TYPE_CODE = "381"  # UNCL1001 credit note
CURRENCY = "MAD"
COUNTRY = "MA"
VAT_SCHEME = "VAT"
STANDARD_CATEGORY = "S"  # UNCL5305
EXEMPT_CATEGORY = "E"  # art. 91, 92 and 94 alike: no Moroccan code list tells them apart yet

#: snapshot key -> schemeID of the party identifier that carries it, in print order
PARTY_SCHEMES = (
    ("ice", "MA:ICE"),
    ("if_number", "MA:IF"),
    ("rc_number", "MA:RC"),
    ("tp_number", "MA:TP"),
    ("register_number", "MA:ODCO"),  # a cooperative's register number (cooperatives have no RC)
)
LEGAL_FORMS = {"gie": "Groupement d'intérêt économique", "cooperative": "Coopérative"}

#: the unit typed on a line -> UN/ECE Recommendation 20 code; anything else counts as "one" (C62)
UNIT_CODES = {
    "kg": "KGM",
    "g": "GRM",
    "t": "TNE",
    "l": "LTR",
    "litre": "LTR",
    "ml": "MLT",
    "m": "MTR",
    "m2": "MTK",
    "m²": "MTK",
    "pièce": "H87",
    "pce": "H87",
    "h": "HUR",
    "heure": "HUR",
    "jour": "DAY",
    "j": "DAY",
    "mois": "MON",
}
DEFAULT_UNIT_CODE = "C62"

# XML 1.0 cannot carry these even as character references; tab and newline stay, a lone CR would not survive parsing
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")


def document_ubl(document: Document) -> bytes:
    """The validated document as a UBL 2.1 Invoice or CreditNote, UTF-8 with an XML declaration."""
    if document.status != Document.Status.VALIDATED or not document.number:
        raise ValueError(f"only a validated, numbered document is exported: {document}")
    is_credit_note = document.kind == Document.Kind.CREDIT_NOTE
    root_ns = CREDIT_NOTE_NS if is_credit_note else INVOICE_NS
    root = ET.Element(  # prefixes written as such: ElementTree's default_namespace refuses unprefixed attributes
        "CreditNote" if is_credit_note else "Invoice", {"xmlns": root_ns, "xmlns:cac": CAC_NS, "xmlns:cbc": CBC_NS}
    )
    issuer, customer = document.issuer_snapshot, document.customer_snapshot

    _cbc(root, "UBLVersionID", "2.1")
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", document.number)
    _cbc(root, "IssueDate", document.issued_on.isoformat())
    if is_credit_note:  # a UBL 2.1 CreditNote has no DueDate
        _cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE_CODE)
    else:
        if document.due_on:
            _cbc(root, "DueDate", document.due_on.isoformat())
        _cbc(root, "InvoiceTypeCode", INVOICE_TYPE_CODE)
    mandatary = _mandatary(document)
    if mandatary:
        _cbc(root, "Note", _mandate_note(mandatary=mandatary, member=issuer))
    if document.note:
        _cbc(root, "Note", document.note)
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    if is_credit_note and document.corrects is not None:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", document.corrects.number)
        _cbc(reference, "IssueDate", document.corrects.issued_on.isoformat())

    _party(_cac(_cac(root, "AccountingSupplierParty"), "Party"), issuer, with_vat_status=True)
    _party(_cac(_cac(root, "AccountingCustomerParty"), "Party"), customer, with_vat_status=False)
    if mandatary:  # the GIE collects for its members (DESIGN.md, shared order and fair sale)
        _party(_cac(root, "PayeeParty"), mandatary, with_vat_status=False)
    _payment(root, issuer, payment_terms=document.payment_terms)

    taxes: Iterable[DocumentTax] = document.taxes.select_related("vat_rate")
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", document.total_vat)
    for tax in taxes:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", tax.net)
        _amount(subtotal, "TaxAmount", tax.vat)
        _tax_category(subtotal, "TaxCategory", tax.vat_rate, with_reason=True)

    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", document.total_net)
    _amount(monetary, "TaxExclusiveAmount", document.total_net)
    _amount(monetary, "TaxInclusiveAmount", document.total_gross)
    _amount(monetary, "PayableAmount", document.total_gross)

    lines: Iterable[DocumentLine] = document.lines.select_related("vat_rate").order_by("position", "pk")
    for index, line in enumerate(lines, start=1):
        _line(root, index, line, is_credit_note=is_credit_note)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _mandatary(document: Document) -> dict[str, str] | None:
    """The GIE that issues a member's document in the member's name: as frozen at validation, else as it is now."""
    if not document.is_mandate:
        return None
    snapshot = document.issuer_snapshot
    if snapshot.get("mandatary_name_fr"):
        return {
            "name_fr": snapshot["mandatary_name_fr"],
            "name_ar": snapshot.get("mandatary_name_ar", ""),
            "ice": snapshot.get("mandatary_ice", ""),
            "kind": Organization.Kind.GIE,
        }
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).first()
    if gie is None:
        return None
    return {"name_fr": gie.legal_name_fr, "name_ar": gie.legal_name_ar, "ice": gie.ice, "kind": gie.kind}


def _mandate_note(*, mandatary: Mapping[str, str], member: Mapping[str, Any]) -> str:
    return (
        f"Facturé par {mandatary['name_fr']}, groupement d'intérêt économique (ICE {mandatary['ice']}), "
        f"au nom et pour le compte de {member.get('name_fr', '')} (ICE {member.get('ice', '')})"
    )


def _party(party: ET.Element, snapshot: Mapping[str, Any], *, with_vat_status: bool) -> None:
    """Fill a UBL PartyType: identifiers, names (French, then Arabic), address, tax scheme, legal entity."""
    for key, scheme in PARTY_SCHEMES:
        if snapshot.get(key):
            _cbc(_cac(party, "PartyIdentification"), "ID", snapshot[key], schemeID=scheme)
    _cbc(_cac(party, "PartyName"), "Name", snapshot.get("name_fr", ""))
    if snapshot.get("name_ar"):
        _cbc(_cac(party, "PartyName"), "Name", snapshot["name_ar"], languageID="ar")
    if snapshot.get("address") or snapshot.get("city"):
        address = _cac(party, "PostalAddress")
        if snapshot.get("address"):
            _cbc(address, "StreetName", snapshot["address"])
        if snapshot.get("city"):
            _cbc(address, "CityName", snapshot["city"])
        _cbc(_cac(address, "Country"), "IdentificationCode", COUNTRY)
    if with_vat_status or snapshot.get("if_number"):
        tax_scheme = _cac(party, "PartyTaxScheme")
        if snapshot.get("if_number"):  # Morocco's VAT number is the fiscal identifier (IF)
            _cbc(tax_scheme, "CompanyID", snapshot["if_number"], schemeID="MA:IF")
        if with_vat_status and snapshot.get("vat_status") == "exempt":
            _cbc(tax_scheme, "ExemptionReason", snapshot.get("vat_legal_reference") or "Exonéré de TVA")
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", VAT_SCHEME)
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", snapshot.get("name_fr", ""))
    if snapshot.get("ice"):
        _cbc(legal, "CompanyID", snapshot["ice"], schemeID="MA:ICE")
    if snapshot.get("kind") in LEGAL_FORMS:
        _cbc(legal, "CompanyLegalForm", LEGAL_FORMS[snapshot["kind"]])
    if snapshot.get("phone"):
        _cbc(_cac(party, "Contact"), "Telephone", snapshot["phone"])


def _payment(root: ET.Element, issuer: Mapping[str, Any], *, payment_terms: str) -> None:
    bank_account, means = issuer.get("bank_account", ""), issuer.get("payment_means", "")
    if bank_account or means:
        payment_means = _cac(root, "PaymentMeans")
        _cbc(payment_means, "PaymentMeansCode", "30" if bank_account else "1")  # UNCL4461: transfer / not defined
        if means:
            _cbc(payment_means, "InstructionNote", means)
        if bank_account:
            _cbc(_cac(payment_means, "PayeeFinancialAccount"), "ID", bank_account, schemeID="MA:RIB")
    if payment_terms:
        _cbc(_cac(root, "PaymentTerms"), "Note", payment_terms)


def _tax_category(parent: ET.Element, tag: str, rate: VatRate, *, with_reason: bool) -> None:
    category = _cac(parent, tag)
    is_taxable = rate.kind == VatRate.Kind.TAXABLE
    _cbc(category, "ID", STANDARD_CATEGORY if is_taxable else EXEMPT_CATEGORY)
    _cbc(category, "Percent", _two_places(rate.rate * 100))
    if with_reason and not is_taxable:
        _cbc(category, "TaxExemptionReason", rate.legal_reference or rate.label_fr)
    _cbc(_cac(category, "TaxScheme"), "ID", VAT_SCHEME)


def _line(root: ET.Element, index: int, line: DocumentLine, *, is_credit_note: bool) -> None:
    element = _cac(root, "CreditNoteLine" if is_credit_note else "InvoiceLine")
    _cbc(element, "ID", str(index))
    quantity_tag = "CreditedQuantity" if is_credit_note else "InvoicedQuantity"
    _cbc(element, quantity_tag, _exact(line.quantity), unitCode=unit_code(line.unit))
    _amount(element, "LineExtensionAmount", line.net)
    if line.discount_rate:
        gross = to_mad(line.quantity * line.unit_price)
        allowance = _cac(element, "AllowanceCharge")
        _cbc(allowance, "ChargeIndicator", "false")
        _cbc(allowance, "AllowanceChargeReason", "Remise")
        _cbc(allowance, "MultiplierFactorNumeric", _two_places(line.discount_rate * 100))  # a percentage (EN 16931)
        _amount(allowance, "Amount", gross - line.net)
        _amount(allowance, "BaseAmount", gross)
    item = _cac(element, "Item")
    if line.description_ar:
        _cbc(item, "Description", line.description_ar, languageID="ar")
    _cbc(item, "Name", line.description)
    _tax_category(item, "ClassifiedTaxCategory", line.vat_rate, with_reason=False)
    price = _cac(element, "Price")
    _cbc(price, "PriceAmount", _price_text(line.unit_price), currencyID=CURRENCY)


def unit_code(unit: str) -> str:
    """The UN/ECE Rec. 20 code of a unit typed on a line ("kg", "Litres", "pièces"); C62 ("one") when unknown."""
    key = unit.strip().lower()
    return UNIT_CODES.get(key) or UNIT_CODES.get(key.removesuffix("s")) or DEFAULT_UNIT_CODE


def _cac(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, f"cac:{name}")


def _cbc(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"cbc:{name}", {key: xml_text(v) for key, v in attributes.items()})
    element.text = xml_text(text)
    return element


def _amount(parent: ET.Element, name: str, value: Decimal) -> ET.Element:
    return _cbc(parent, name, _two_places(value), currencyID=CURRENCY)


def xml_text(value: str) -> str:
    """The text as XML 1.0 can carry it: control characters (but tab and newline) and non-characters removed."""
    return _NOT_XML.sub("", str(value))


def _two_places(value: Decimal) -> str:
    """ "1234.50": an amount (or a percentage) to the centime; the columns hold no more, so nothing is rounded."""
    return str(to_mad(value))


def _exact(value: Decimal) -> str:
    """The shortest exact form, never an exponent: "2.5", "3", "100"."""
    return format(value.normalize(), "f")


def _price_text(value: Decimal) -> str:
    """A unit price: two decimals, or up to the four the column holds when they matter ("12.3450" -> "12.345")."""
    return _two_places(value) if is_mad(value) else _exact(value)


# --- reading -----------------------------------------------------------------------------------------------------

_NS = {"cac": CAC_NS, "cbc": CBC_NS}


def ubl_read(xml: bytes) -> dict[str, Any]:
    """What an exported document says, as plain values: kind, number, dates, parties and their identifiers, the
    billing reference, totals, the VAT breakdown per rate and the lines. Amounts are Decimals, dates ``date``s."""
    root = SafeET.fromstring(xml)
    if root.tag == f"{{{INVOICE_NS}}}Invoice":
        kind, line_tag, quantity_tag = "invoice", "InvoiceLine", "InvoicedQuantity"
    elif root.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote":
        kind, line_tag, quantity_tag = "credit_note", "CreditNoteLine", "CreditedQuantity"
    else:
        raise ValueError(f"not a UBL Invoice or CreditNote: {root.tag}")
    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", _NS)
    monetary = root.find("cac:LegalMonetaryTotal", _NS)
    payee = root.find("cac:PayeeParty", _NS)
    return {
        "kind": kind,
        "customization_id": _text(root, "cbc:CustomizationID"),
        "profile_id": _text(root, "cbc:ProfileID"),
        "type_code": _text(root, "cbc:CreditNoteTypeCode" if kind == "credit_note" else "cbc:InvoiceTypeCode"),
        "number": _text(root, "cbc:ID"),
        "issued_on": _date(root, "cbc:IssueDate"),
        "due_on": _date(root, "cbc:DueDate"),
        "currency": _text(root, "cbc:DocumentCurrencyCode"),
        "notes": [element.text or "" for element in root.findall("cbc:Note", _NS)],
        "billing_reference": None
        if reference is None
        else {"number": _text(reference, "cbc:ID"), "issued_on": _date(reference, "cbc:IssueDate")},
        "supplier": _read_party(root.find("cac:AccountingSupplierParty/cac:Party", _NS)),
        "customer": _read_party(root.find("cac:AccountingCustomerParty/cac:Party", _NS)),
        "payee": None if payee is None else _read_party(payee),
        "totals": {
            "vat": _decimal(root, "cac:TaxTotal/cbc:TaxAmount"),
            "lines": _decimal(monetary, "cbc:LineExtensionAmount"),
            "net": _decimal(monetary, "cbc:TaxExclusiveAmount"),
            "gross": _decimal(monetary, "cbc:TaxInclusiveAmount"),
            "payable": _decimal(monetary, "cbc:PayableAmount"),
        },
        "taxes": [
            {
                "category": _text(subtotal, "cac:TaxCategory/cbc:ID"),
                "percent": _decimal(subtotal, "cac:TaxCategory/cbc:Percent"),
                "net": _decimal(subtotal, "cbc:TaxableAmount"),
                "vat": _decimal(subtotal, "cbc:TaxAmount"),
                "exemption_reason": _text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason"),
            }
            for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", _NS)
        ],
        "lines": [
            {
                "name": _text(line, "cac:Item/cbc:Name"),
                "quantity": _decimal(line, f"cbc:{quantity_tag}"),
                "unit_code": line.find(f"cbc:{quantity_tag}", _NS).get("unitCode", ""),
                "net": _decimal(line, "cbc:LineExtensionAmount"),
                "unit_price": _decimal(line, "cac:Price/cbc:PriceAmount"),
                "category": _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                "percent": _decimal(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
            }
            for line in root.findall(f"cac:{line_tag}", _NS)
        ],
    }


def _read_party(party: Any) -> dict[str, Any]:
    if party is None:
        return {}
    names = party.findall("cac:PartyName/cbc:Name", _NS)
    return {
        "ids": {
            element.get("schemeID", ""): element.text or ""
            for element in party.findall("cac:PartyIdentification/cbc:ID", _NS)
        },
        "name": next((n.text or "" for n in names if not n.get("languageID")), ""),
        "name_ar": next((n.text or "" for n in names if n.get("languageID") == "ar"), ""),
        "registration_name": _text(party, "cac:PartyLegalEntity/cbc:RegistrationName"),
        "legal_id": _text(party, "cac:PartyLegalEntity/cbc:CompanyID"),
        "street": _text(party, "cac:PostalAddress/cbc:StreetName"),
        "city": _text(party, "cac:PostalAddress/cbc:CityName"),
        "vat_exemption_reason": _text(party, "cac:PartyTaxScheme/cbc:ExemptionReason"),
    }


def _text(parent: Any, path: str) -> str:
    element = parent.find(path, _NS) if parent is not None else None
    return "" if element is None else element.text or ""


def _decimal(parent: Any, path: str) -> Decimal | None:
    text = _text(parent, path)
    return Decimal(text) if text else None


def _date(parent: Any, path: str) -> date | None:
    text = _text(parent, path)
    return date.fromisoformat(text) if text else None
