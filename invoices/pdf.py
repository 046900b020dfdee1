"""Printed invoices and credit notes, the cover of a bundle and the reminder letter: A4 PDFs in French or in Arabic
(right to left), on the shared base (gie_erp/core/pdf.py).

Everything printed comes from the validated document as it was frozen: the identities (``issuer_snapshot``,
``customer_snapshot``), the lines, the VAT per rate (``DocumentTax``) and the totals; nothing is recomputed. Drafts are
refused (``DomainError`` DOCUMENT_NOT_VALIDATED), not watermarked: a draft has no number, no frozen identities and no
verification code, and a printed draft could pass for an invoice.

Labels are gettext messages (French msgids) rendered in the document's language. Two things are printed in both
languages whatever that language is: the issuer's name, and the amount in words (customary on Moroccan invoices),
whose lead-in is fixed text here (``WORDS_LEAD``) like the statement's bilingual wording. Numbers, dates, identifiers
and amounts keep Western digits in left-to-right spans, in Arabic too.
"""

import io
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import CURRENCY_LABEL, NARROW_NBSP, format_day
from gie_erp.core.money import ZERO
from gie_erp.core.pdf import amount_html, qr_svg, render_pdf
from invoices.models import Bundle, Document, DocumentLine, DocumentTax, Party, VatRate
from invoices.words import amount_in_words
from members.models import Organization

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "invoices" / "pdf"
DOCUMENT_CSS = TEMPLATE_DIR / "document.css"
LANGUAGES = ("fr", "ar")

#: The lead-in of the amount in words, printed in both languages on every document (not switched by gettext).
WORDS_LEAD = {
    Document.Kind.INVOICE: {
        "fr": "Arrêtée la présente facture à la somme de :",
        "ar": "حُصرت هذه الفاتورة في مبلغ:",
    },
    Document.Kind.CREDIT_NOTE: {
        "fr": "Arrêté le présent avoir à la somme de :",
        "ar": "حُصر هذا الإشعار الدائن في مبلغ:",
    },
}


def pdf_language(language: str | None, default: str) -> str:
    """The language asked for, else the customer's; only French and Arabic are printed."""
    chosen = language or default or "fr"
    if chosen[:2] not in LANGUAGES:
        raise ValueError(f"no printed documents in {chosen!r}: expected one of {LANGUAGES}")
    return chosen[:2]


def verify_url(token: str) -> str:
    """Where the QR code points: ``{SITE_URL}/verify/invoice/<token>/``, or the bare path when SITE_URL is unset."""
    path = reverse("invoices_public:verify_invoice", kwargs={"token": token})
    return f"{(getattr(settings, 'SITE_URL', '') or '').rstrip('/')}{path}"


# --- formatting ----------------------------------------------------------------------------------------------------


def _number(value: Decimal, pattern: str) -> str:
    """A decimal in the French pattern (narrow no-break spaces, comma); exact: the patterns show every place kept."""
    text = format_decimal(value, format=pattern, locale="fr_FR")
    return text.replace("\u202f", NARROW_NBSP).replace("\xa0", NARROW_NBSP)


def _ltr(text: str) -> SafeString:
    return format_html('<span dir="ltr">{}</span>', text)


def direction(text: str) -> str:
    """The direction of the text's first strong letter, "ltr" or "rtl"; "" when it has none (digits, punctuation)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def bidi(text: str) -> SafeString | str:
    """Free text (a name, an address, a description) in its own direction: Latin text in an Arabic page keeps
    "12 rue de Fès" and "(SARL)" in order, Arabic text in a French page gets the Arabic font first."""
    found = direction(text)
    if found == "ltr":
        return format_html('<span dir="ltr">{}</span>', text)
    if found == "rtl":
        return format_html('<span lang="ar" dir="rtl">{}</span>', text)
    return text


def place(*parts: str) -> list[SafeString | str]:
    """An address and a city as printed lines: one line when they are written the same way, else one each (a Latin
    street and an Arabic city on one line come out reordered by the bidirectional algorithm)."""
    filled = [part for part in parts if part]
    if len({direction(part) for part in filled} - {""}) <= 1:
        return [bidi(", ".join(filled))] if filled else []
    return [bidi(part) for part in filled]


def _figure(text: str) -> SafeString:
    """A quantity or unit price: the amount style and direction of amount_html, with the places the value has."""
    return format_html('<span class="amt" dir="ltr">{}</span>', text)


def _percent(fraction: Decimal) -> str:
    return f"{_number(fraction * 100, '#,##0.##')}{NARROW_NBSP}%"


def _sentence(message: str, **values: Any) -> SafeString:
    """A translated sentence in its own direction (a message not yet translated stays readable in an Arabic page),
    with its values inserted (plain text escaped, our spans kept) and the message escaped."""
    text = escape(message) % {key: conditional_escape(value) for key, value in values.items()}
    return format_html('<span dir="{}">{}</span>', direction(message) or "ltr", mark_safe(text))  # noqa: S308


def _in(snapshot: dict[str, Any], key: str, language: str) -> str:
    """A snapshot's text in the language: ``<key>_ar`` in Arabic when filled, else ``<key>_fr`` (or ``key``)."""
    if language == "ar" and snapshot.get(f"{key}_ar"):
        return str(snapshot[f"{key}_ar"])
    return str(snapshot.get(f"{key}_fr", snapshot.get(key, "")) or "")


def _gie_name(name: str) -> str:
    """The GIE's name after the words "le GIE": its legal name less a leading "GIE"."""
    return name[4:] if name[:4].upper() == "GIE " else name


def _vat_label(rate: VatRate, language: str) -> str:
    return rate.label_ar if language == "ar" and rate.label_ar else rate.label_fr


def _line_vat(rate: VatRate) -> str:
    if rate.kind == VatRate.Kind.TAXABLE:
        return _percent(rate.rate)
    if rate.kind == VatRate.Kind.SUSPENDED:
        return _("suspendue")
    return _("exonéré")


# --- the document --------------------------------------------------------------------------------------------------


def _check_printable(document: Document) -> None:
    if document.status != Document.Status.VALIDATED or not document.number:
        raise DomainError(ErrorCode.DOCUMENT_NOT_VALIDATED, number=str(document))


def _issuer_context(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    identifiers = [(_("ICE"), snapshot.get("ice", "")), (_("identifiant fiscal (IF)"), snapshot.get("if_number", ""))]
    identifiers.append((_("taxe professionnelle"), snapshot.get("tp_number", "")))
    if snapshot.get("register_number"):
        identifiers.append((_("n° ODCO"), snapshot["register_number"]))
    if snapshot.get("rc_number") or snapshot.get("kind") != Organization.Kind.COOPERATIVE:
        identifiers.append((_("registre du commerce (RC)"), snapshot.get("rc_number", "")))
    status = snapshot.get("vat_status", "")
    status_label = Organization.VatStatus(status).label if status in Organization.VatStatus.values else status
    return {
        "name_fr": snapshot.get("name_fr", ""),
        "name_ar": snapshot.get("name_ar", ""),
        "place": place(snapshot.get("address", ""), _in(snapshot, "city", language)),
        "phone": snapshot.get("phone", ""),
        "identifiers": [(label, value) for label, value in identifiers if value],
        "vat_status": status_label,
        "vat_reference": bidi(snapshot.get("vat_legal_reference", "")),
        "is_exempt": status == Organization.VatStatus.EXEMPT,
    }


def _customer_context(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    name = _in(snapshot, "name", language)
    other = snapshot.get("name_fr", "") if language == "ar" else snapshot.get("name_ar", "")
    identifiers = [
        (_("ICE"), snapshot.get("ice", "")),
        (_("identifiant fiscal (IF)"), snapshot.get("if_number", "")),
        (_("registre du commerce (RC)"), snapshot.get("rc_number", "")),
    ]
    return {
        "name": bidi(name),
        "other_name": bidi(other) if other and other != name else "",
        "place": place(snapshot.get("address", ""), snapshot.get("city", "")),
        "identifiers": [(label, value) for label, value in identifiers if value],
    }


def _line_context(line: DocumentLine, language: str) -> dict[str, Any]:
    description = line.description_ar if language == "ar" and line.description_ar else line.description
    return {
        "description": bidi(description),
        "nature": line.get_kind_display(),
        "quantity": _figure(_number(line.quantity, "#,##0.###")),
        "unit": bidi(line.unit),
        "unit_price": _figure(_number(line.unit_price, "#,##0.00##")),
        "discount": _ltr(_percent(line.discount_rate)) if line.discount_rate else "",
        "vat": _ltr(_line_vat(line.vat_rate)),
        "net": amount_html(line.net),
    }


def _tax_context(tax: DocumentTax, language: str) -> dict[str, Any]:
    rate = tax.vat_rate
    exempt = rate.kind != VatRate.Kind.TAXABLE
    return {
        "label": bidi(_vat_label(rate, language)),
        "reference": bidi(rate.legal_reference) if exempt else "",
        "net": amount_html(tax.net),
        "vat": amount_html(tax.vat),
    }


def _exemption_text(taxes: Sequence[DocumentTax]) -> str:
    """The setting's sentence followed by the legal reference of each exemption the document uses."""
    references = []
    for tax in taxes:
        reference = tax.vat_rate.legal_reference
        if tax.vat_rate.kind != VatRate.Kind.TAXABLE and reference and reference not in references:
            references.append(reference)
    arabic = (get_language() or "fr").startswith("ar")
    text = str(settings.GIE_INVOICE_EXEMPTION_TEXT_AR if arabic else settings.GIE_INVOICE_EXEMPTION_TEXT)
    return f"{text} ({'; '.join(references)})" if references else text


def payment_terms_text(text: str) -> str:
    """The terms as printed, in the active language: the standard wordings the document form writes ("Paiement à 30
    jours", "Paiement à réception") were frozen in the language of whoever created the document, so they are put
    back into the printed one; any other wording is printed as written."""
    written = text.strip()
    for language in LANGUAGES:
        with translation.override(language):
            on_receipt, in_days = _("Paiement à réception"), _("Paiement à %(days)s jours")
        if written == on_receipt:
            return _("Paiement à réception")
        before, _marker, after = in_days.partition("%(days)s")
        days = written[len(before) : len(written) - len(after)]
        if written.startswith(before) and written.endswith(after) and days.isascii() and days.isdigit():
            return _("Paiement à %(days)s jours") % {"days": days}
    return text


def _words(document: Document) -> list[dict[str, str]]:
    lead = WORDS_LEAD[Document.Kind(document.kind)]
    return [
        {"lang": language, "dir": "rtl" if language == "ar" else "ltr", "lead": lead[language],
         "text": amount_in_words(document.total_gross, language)}
        for language in LANGUAGES
    ]  # fmt: skip


def document_context(document: Document, language: str) -> dict[str, Any]:
    """Everything the document's page prints, already formatted and translated (call inside the language)."""
    issuer_snapshot, customer_snapshot = document.issuer_snapshot, document.customer_snapshot
    issuer = _issuer_context(issuer_snapshot, language)
    lines = list(document.lines.select_related("vat_rate").order_by("position", "pk"))
    taxes = list(document.taxes.select_related("vat_rate"))
    is_credit_note = document.kind == Document.Kind.CREDIT_NOTE
    mandate: SafeString | str = ""
    mandatary_ice = ""
    if issuer_snapshot.get("mandatary_name_fr"):
        gie = _in(issuer_snapshot, "mandatary_name", language)
        mandate = _sentence(
            _("Facturé par le GIE %(gie)s au nom et pour le compte de %(member)s"),
            gie=bidi(gie if language == "ar" and issuer_snapshot.get("mandatary_name_ar") else _gie_name(gie)),
            member=bidi(_in(issuer_snapshot, "name", language)),
        )
        mandatary_ice = issuer_snapshot.get("mandatary_ice", "")
    corrects: SafeString | str = ""
    if is_credit_note and document.corrects is not None:
        invoice = document.corrects
        corrects = _sentence(
            _("Cet avoir corrige la facture %(number)s du %(date)s"),
            number=_ltr(invoice.number),
            date=_ltr(format_day(invoice.issued_on)),
        )
    url = verify_url(document.verify_token or "")
    return {
        "language": language,
        "direction": "rtl" if language == "ar" else "ltr",
        "title": _("Avoir") if is_credit_note else _("Facture"),
        "is_credit_note": is_credit_note,
        "number": document.number,
        "issued_on": format_day(document.issued_on),
        "due_on": format_day(document.due_on) if document.due_on and not is_credit_note else "",
        "corrects": corrects,
        "issuer": issuer,
        "mandate": mandate,
        "mandatary_ice": mandatary_ice,
        "customer": _customer_context(customer_snapshot, language),
        "lines": [_line_context(line, language) for line in lines],
        "show_vat": not issuer["is_exempt"],
        "taxes": [_tax_context(tax, language) for tax in taxes],
        "exemption": bidi(_exemption_text(taxes)) if issuer["is_exempt"] else "",
        "total_net": amount_html(document.total_net),
        "total_vat": amount_html(document.total_vat),
        "total_gross": amount_html(document.total_gross),
        "currency": CURRENCY_LABEL[language],
        "words": _words(document),
        "payment_terms": bidi(payment_terms_text(document.payment_terms)),
        "payment_means": bidi(issuer_snapshot.get("payment_means", "")),
        "bank_account": issuer_snapshot.get("bank_account", ""),
        "note": bidi(document.note),
        "qr": qr_svg(url),
        "verify_url": url,
    }


def document_html(document: Document, language: str | None = None) -> str:
    """The document's page as HTML, in ``language`` or the customer's."""
    _check_printable(document)
    language = pdf_language(language, document.customer.language)
    with translation.override(language):
        return render_to_string("invoices/pdf/document.html", document_context(document, language))


def document_pdf(document: Document, language: str | None = None) -> bytes:
    """A validated invoice or credit note as A4 PDF bytes, in ``language`` or the customer's (Arabic: right to left);
    refuses a draft. Raises PdfRenderError if WeasyPrint warns."""
    return render_pdf(document_html(document, language), base_url=TEMPLATE_DIR, stylesheets=[DOCUMENT_CSS])


# --- bundles -------------------------------------------------------------------------------------------------------


def _bundle_documents(bundle: Bundle) -> list[Document]:
    documents = list(bundle.documents.select_related("customer", "corrects").order_by("pk"))
    for document in documents:
        _check_printable(document)
    return documents


def _sender(documents: Sequence[Document], language: str) -> dict[str, str]:
    """Who writes a cover or a reminder: the GIE, named in every document's issuer snapshot (as issuer or mandatary)."""
    snapshot = documents[0].issuer_snapshot if documents else {}
    key = "mandatary_name" if snapshot.get("mandatary_name_fr") else "name"
    return {
        "name_fr": snapshot.get(f"{key}_fr", ""),
        "name_ar": snapshot.get(f"{key}_ar", ""),
        "name": _in(snapshot, key, language),
    }


def bundle_cover_context(bundle: Bundle, documents: Sequence[Document], language: str) -> dict[str, Any]:
    customer = documents[0].customer_snapshot if documents else {}
    return {
        "language": language,
        "direction": "rtl" if language == "ar" else "ltr",
        "sender": _sender(documents, language),
        "customer": _customer_context(customer, language),
        "reference": bundle.reference,
        "issued_on": format_day(bundle.issued_on),
        "rows": [
            {
                "issuer": bidi(_in(document.issuer_snapshot, "name", language)),
                "number": document.number,
                "issued_on": format_day(document.issued_on),
                "gross": amount_html(document.total_gross),
            }
            for document in documents
        ],
        "total": amount_html(sum((document.total_gross for document in documents), ZERO)),
        "currency": CURRENCY_LABEL[language],
    }


def bundle_cover_pdf(bundle: Bundle, language: str | None = None) -> bytes:
    """A cover page for a bundle: the customer, the reference and date, each document's issuer, number and total,
    and the grand total. Every document of the bundle must be validated."""
    documents = _bundle_documents(bundle)
    language = pdf_language(language, bundle.customer.language)
    with translation.override(language):
        html = render_to_string("invoices/pdf/bundle_cover.html", bundle_cover_context(bundle, documents, language))
    return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[DOCUMENT_CSS])


def bundle_pdf(bundle: Bundle, language: str | None = None) -> bytes:
    """The cover followed by every document of the bundle (in creation order), as one PDF."""
    language = pdf_language(language, bundle.customer.language)
    writer = PdfWriter()
    writer.append(io.BytesIO(bundle_cover_pdf(bundle, language)))
    for document in _bundle_documents(bundle):
        writer.append(io.BytesIO(document_pdf(document, language)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- reminders -----------------------------------------------------------------------------------------------------


def reminder_context(party: Party, documents: Sequence[Document], language: str, today: date) -> dict[str, Any]:
    rows = []
    for document in documents:
        late = (today - document.due_on).days if document.due_on else 0
        rows.append(
            {
                "issuer": bidi(_in(document.issuer_snapshot, "name", language)),
                "number": document.number,
                "issued_on": format_day(document.issued_on),
                "due_on": format_day(document.due_on) if document.due_on else "",
                "days_late": str(late) if late > 0 else "",
                "left": amount_html(document.balance_due),
            }
        )
    means = {(d.issuer_snapshot.get("payment_means", ""), d.issuer_snapshot.get("bank_account", "")) for d in documents}
    payment_means, bank_account = means.pop() if len(means) == 1 else ("", "")  # one issuer's, or none
    name = party.legal_name_ar if language == "ar" and party.legal_name_ar else party.legal_name_fr
    return {
        "language": language,
        "direction": "rtl" if language == "ar" else "ltr",
        "sender": _sender(documents, language),
        "party": {"name": bidi(name), "place": place(party.address, party.city), "ice": party.ice},
        "today": format_day(today),
        "rows": rows,
        "total": amount_html(sum((document.balance_due for document in documents), ZERO)),
        "payment_means": bidi(payment_means),
        "bank_account": bank_account,
    }


def reminder_pdf(
    party: Party, documents: Sequence[Document], language: str | None = None, today: date | None = None
) -> bytes:
    """A polite reminder letter to a customer listing the documents the caller chose (number, date, due date, left to
    pay) and their total; every one must be a validated invoice of this customer."""
    if not documents:
        raise ValueError("a reminder lists at least one document")
    for document in documents:
        _check_printable(document)
        if document.customer_id != party.pk or document.kind != Document.Kind.INVOICE:
            raise ValueError(f"{document.number} is not an invoice addressed to {party.code}")
    language = pdf_language(language, party.language)
    with translation.override(language):
        context = reminder_context(party, documents, language, today or timezone.localdate())
        html = render_to_string("invoices/pdf/reminder.html", context)
    return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[DOCUMENT_CSS])
