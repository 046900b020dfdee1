"""Printed invoices, credit notes, bundles and reminders: every mention of CGI art. 145 read back from the PDF's text
(pypdf extracts Arabic in logical order), in French and in Arabic, with only the shipped fonts."""

import io
import re
import unicodedata
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from pypdf import PdfReader

from gie_erp.core.errors import DomainError, ErrorCode
from invoices.management.commands.invoices_print import pdf_file_name
from invoices.models import Document, IssuerSettings, Party
from invoices.pdf import (
    bundle_cover_pdf,
    bundle_pdf,
    direction,
    document_html,
    document_pdf,
    payment_terms_text,
    place,
    reminder_pdf,
    verify_url,
)
from invoices.services import bundle_create, bundle_validate, credit_note_create, document_save_draft, document_validate
from invoices.words import amount_in_words
from tests.invoices.conftest import TODAY, D, line

pytestmark = pytest.mark.django_db

SITE = "https://factures.gie-ecp.ma"
SHIPPED_FONT = re.compile(r"^/([A-Z]{6}\+)?GIE-(Sans|Naskh|Tifinagh)(-Bold)?$")


def normalise(text: str) -> str:
    """NFKC folds the narrow no-break space and Arabic presentation forms; whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def squeeze(text: str) -> str:
    """Without any whitespace: a long phrase may break across lines anywhere (even after a hyphen)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, normalise("\n".join(page.extract_text() for page in reader.pages))


def assert_sentence(message: str, values: dict[str, str], text: str) -> None:
    """A sentence with values in their own spans: pypdf gives an Arabic line's runs in visual order, so each piece
    of the message and each value is looked for (whole, whitespace aside)."""
    pieces = [piece for piece in re.split(r"%\(\w+\)s", message) if piece.strip()]
    for piece in [*pieces, *values.values()]:
        assert squeeze(piece) in squeeze(text), piece


def validated(issuer: Any, customer: Any, lines: list[Any], day: date = date(2026, 10, 5), **kwargs: Any) -> Document:
    draft = document_save_draft(issuer=issuer, customer=customer, issued_on=day, lines=lines, **kwargs)
    return document_validate(document_id=draft.pk, today=TODAY)


@pytest.fixture
def printed(world: dict[str, Any], settings: Any) -> dict[str, Any]:
    """The GIE's own invoice at 20 %, 10 % and exempt; a mandate invoice of the exempt cooperative; a credit note."""
    settings.SITE_URL = SITE
    IssuerSettings.objects.create(
        organization=world["gie"], bank_account="011 640 0000012345678901 23", payment_means="Virement ou chèque"
    )
    Party.objects.filter(pk=world["hotel"].pk).update(legal_name_ar="فندق كونتيننتال")
    world["hotel"].refresh_from_db()
    # 833.33 × 20 % = 166.666 → 166.67; 2.5 × 1,200.125 = 3,000.3125, less 10 % = 2,700.28125 → 2,700.28, VAT 270.03;
    # 30 × 85.00 = 2,550.00 exempt. HT 6,083.61 + VAT 436.70 = 6,520.31
    mixed = validated(
        world["gie"],
        world["hotel"],
        [
            line("Accompagnement commercial", "1", "833.33", "normal-20", kind="service", unit="forfait"),
            line(
                "Formation à l'emballage",
                "2.5",
                "1200.125",
                "reduit-10",
                unit="jour",
                discount_rate=D("0.1000"),
                description_ar="تكوين في التلفيف",
            ),
            line("Huile d'olive artisanale", "30", "85.00", "exonere-91", unit="litre"),
        ],
    )
    mandate = validated(
        world["exempt"], world["hotel"], [line("Huile d'olive vierge extra", "12", "90.00", unit="litre")]
    )
    credit = credit_note_create(
        invoice=mixed, issued_on=date(2026, 10, 9), lines=[line("Huile d'olive artisanale", "3", "85.00", "exonere-91")]
    )
    credit = document_validate(document_id=credit.pk, today=TODAY)
    return {**world, "mixed": mixed, "mandate": mandate, "credit": credit}


def test_the_totals_printed_are_the_ones_worked_out_by_hand(printed: dict[str, Any]) -> None:
    mixed = printed["mixed"]
    assert (mixed.total_net, mixed.total_vat, mixed.total_gross) == (D("6083.61"), D("436.70"), D("6520.31"))
    assert (printed["mandate"].total_gross, printed["credit"].total_gross) == (D("1080.00"), D("255.00"))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_invoice_at_three_rates_prints_every_mention(printed: dict[str, Any], language: str) -> None:
    mixed, gie, hotel = printed["mixed"], printed["gie"], printed["hotel"]
    reader, text = pdf_text(document_pdf(mixed, language))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    for expected in [
        "FA-2026-00001", "05/10/2026", "04/11/2026",  # number, date, due date (30 days)
        gie.legal_name_fr, gie.legal_name_ar, "12 rue de Fès, Tanger",
        gie.ice, "40123456", "50123456", "RC 12345 Tanger",  # ICE, IF, TP, RC
        "Hôtel Continental", "36 rue Dar Baroud, Tanger, Tanger", hotel.ice,
        "Accompagnement commercial", "forfait", "1 200,125", "2,5", "10 %", "20 %",  # lines: price, quantity, rates
        "833,33", "2 700,28", "2 550,00",  # line nets
        "166,67", "270,03", "0,00",  # VAT per rate
        "6 083,61", "436,70", "6 520,31",  # totals HT, VAT, TTC
        "CGI art. 91", "Virement ou chèque", "011 640 0000012345678901 23",
    ]:  # fmt: skip
        assert expected in text, expected
    assert f"{SITE}/verify/invoice/{mixed.verify_token}/" in squeeze(text)  # printed under the QR code, wrapped
    assert "Facturé par le GIE" not in text  # the GIE's own invoice is no mandate
    assert settings.GIE_INVOICE_EXEMPTION_TEXT not in text  # a registered issuer: the VAT table says it
    assert squeeze(amount_in_words(D("6520.31"), "fr")) in squeeze(text)
    assert squeeze(amount_in_words(D("6520.31"), "ar")) in squeeze(text)
    assert "six mille cinq cent vingt dirhams et trente et un centimes" in amount_in_words(D("6520.31"), "fr")
    if language == "ar":
        assert_sentence("الأداء في أجل %(days)s يوما", {"days": "30"}, text)  # the terms, frozen in French
        assert "Paiement à" not in text
        assert "تكوين في التلفيف" in text  # the Arabic designation
        assert "فندق كونتيننتال" in text  # and name
    else:
        assert "Paiement à 30 jours" in text
        assert "Formation à l'emballage" in text


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_mandate_invoice_of_an_exempt_cooperative(printed: dict[str, Any], language: str) -> None:
    mandate, exempt = printed["mandate"], printed["exempt"]
    _, text = pdf_text(document_pdf(mandate, language))
    for expected in [
        mandate.number, exempt.legal_name_fr, exempt.legal_name_ar, exempt.ice, "41111111", "51111111",
        "ODCO 2019/118", "Douar Bni Ahmed, Chefchaouen", printed["gie"].ice,  # the mandatary's ICE too
        "1 080,00",
    ]:  # fmt: skip
        assert expected in text, expected
    assert f"{SITE}/verify/invoice/{mandate.verify_token}/" in squeeze(text)
    if language == "ar":  # the exemption in Arabic; extraction reorders the mixed-direction line, so by pieces
        for piece in ("معفى من الضريبة على القيمة المضافة بموجب المادة", "العامة للضرائب", "CGI art. 91 — exonération"):
            assert piece in text, piece
    else:
        assert squeeze(settings.GIE_INVOICE_EXEMPTION_TEXT) in squeeze(text)
        assert "CGI art. 91 — exonération sans droit à déduction" in text
    assert "RC 12345" not in text  # the cooperative's register number stands for an RC
    assert "Total TVA" not in text  # no VAT noise for an exempt issuer
    assert "Taux de TVA" not in text
    assert squeeze("mille quatre-vingts dirhams") == squeeze(amount_in_words(D("1080.00"), "fr"))
    assert squeeze(amount_in_words(D("1080.00"), "fr")) in squeeze(text)
    assert squeeze(amount_in_words(D("1080.00"), "ar")) in squeeze(text)
    with translation.override(language):
        sentence = translation.gettext("Facturé par le GIE %(gie)s au nom et pour le compte de %(member)s")
    names = {"gie": "Test", "member": exempt.legal_name_fr}  # "GIE Test": the word GIE is not repeated
    if language == "ar":
        names = {"gie": printed["gie"].legal_name_ar, "member": exempt.legal_name_ar}
    assert_sentence(sentence, names, text)


def test_the_mandate_sentence_in_french_word_for_word(printed: dict[str, Any]) -> None:
    _, text = pdf_text(document_pdf(printed["mandate"], "fr"))
    assert squeeze("Facturé par le GIE Test au nom et pour le compte de Coopérative Zitouna") in squeeze(text)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_credit_note_names_the_invoice_it_corrects(printed: dict[str, Any], language: str) -> None:
    credit = printed["credit"]
    _, text = pdf_text(document_pdf(credit, language))
    with translation.override(language):
        title = translation.gettext("Avoir")
        sentence = translation.gettext("Cet avoir corrige la facture %(number)s du %(date)s")
    assert title in text
    assert_sentence(sentence, {"number": "FA-2026-00001", "date": "05/10/2026"}, text)
    for expected in ["AV-2026-00001", "09/10/2026", "255,00"]:
        assert expected in text, expected
    assert f"{SITE}/verify/invoice/{credit.verify_token}/" in squeeze(text)
    assert squeeze(amount_in_words(D("255.00"), "ar")) in squeeze(text)
    if language == "fr":
        assert "Avoir" in text
        assert squeeze("corrige la facture FA-2026-00001 du 05/10/2026") in squeeze(text)
        assert "Arrêté le présent avoir à la somme de" in text


def test_the_language_is_the_customers_unless_asked(printed: dict[str, Any]) -> None:
    mixed = printed["mixed"]
    assert '<html lang="fr" dir="ltr">' in document_html(mixed)
    Party.objects.filter(pk=printed["hotel"].pk).update(language=Party.Language.ARABIC)
    mixed = Document.objects.get(pk=mixed.pk)
    html = document_html(mixed)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<span class="amt" dir="ltr">6\u202f520,31</span>' in html  # Western digits, left to right
    assert '<html lang="fr" dir="ltr">' in document_html(mixed, "fr")
    with pytest.raises(ValueError, match="zgh"):
        document_pdf(mixed, "zgh")


def test_without_a_site_url_the_qr_code_points_to_a_relative_path(printed: dict[str, Any], settings: Any) -> None:
    settings.SITE_URL = ""
    mixed = printed["mixed"]
    assert verify_url(mixed.verify_token) == f"/verify/invoice/{mixed.verify_token}/"
    _, text = pdf_text(document_pdf(mixed))
    assert f"/verify/invoice/{mixed.verify_token}/" in squeeze(text)
    assert "http" not in text


def test_a_draft_is_refused(printed: dict[str, Any]) -> None:
    draft = document_save_draft(
        issuer=printed["gie"], customer=printed["hotel"], issued_on=date(2026, 10, 5), lines=[line("Conseil", "1", "9")]
    )
    with pytest.raises(DomainError) as error:
        document_pdf(draft)
    assert error.value.code == ErrorCode.DOCUMENT_NOT_VALIDATED


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_only_the_shipped_fonts_are_embedded(printed: dict[str, Any], language: str) -> None:
    reader, _ = pdf_text(document_pdf(printed["mixed"], language))
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert all(SHIPPED_FONT.match(name) for name in fonts), fonts


def test_a_long_invoice_runs_over_pages_with_its_number_on_each(printed: dict[str, Any]) -> None:
    lines = [
        line(f"Panier garni n° {n} : miel, huile d'olive, amlou et couscous artisanal", "3", "45.50") for n in range(60)
    ]
    long = validated(printed["gie"], printed["hotel"], lines)
    reader, text = pdf_text(document_pdf(long, "ar"))
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        assert f"{long.number} {number} / {len(reader.pages)}" in normalise(page.extract_text())
    assert squeeze(amount_in_words(long.total_gross, "ar")) in squeeze(text)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_bundle_prints_its_cover_then_each_document(world: dict[str, Any], language: str) -> None:
    bundle = bundle_create(
        customer=world["hotel"],
        issued_on=date(2026, 10, 12),
        reference="CMD-2026-118",
        parts=[(world["exempt"], [line("Huile", "10", "90.00")]), (world["registered"], [line("Miel", "4", "150.00")])],
    )
    bundle_validate(bundle=bundle, today=TODAY)
    # exempt: 900.00; registered: 600.00 + 20 % = 720.00; total 1,620.00
    _, cover = pdf_text(bundle_cover_pdf(bundle, language))
    for expected in [
        "CMD-2026-118", "12/10/2026", "Hôtel Continental", world["hotel"].ice, "FA-2026-00001", "900,00", "720,00",
        "1 620,00", world["exempt"].legal_name_ar if language == "ar" else world["exempt"].legal_name_fr,
    ]:  # fmt: skip
        assert expected in cover, expected
    reader, text = pdf_text(bundle_pdf(bundle, language))
    assert len(reader.pages) == 3
    assert "Coopérative Nahla" in normalise(reader.pages[2].extract_text())
    assert text.count("FA-2026-00001") >= 3  # both members' series start at 1: cover twice, each invoice


def test_a_bundle_with_a_draft_is_refused(world: dict[str, Any]) -> None:
    bundle = bundle_create(
        customer=world["hotel"], issued_on=date(2026, 10, 12), parts=[(world["exempt"], [line("Huile", "1", "9")])]
    )
    with pytest.raises(DomainError):
        bundle_pdf(bundle)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_reminder_lists_what_is_left_to_pay(printed: dict[str, Any], language: str) -> None:
    mixed, mandate = printed["mixed"], printed["mandate"]
    # the mixed invoice was credited 255.00: 6,520.31 − 255.00 = 6,265.31 left; plus 1,080.00 = 7,345.31
    mixed.refresh_from_db()
    assert mixed.balance_due == D("6265.31")
    _, text = pdf_text(reminder_pdf(printed["hotel"], [mixed, mandate], language, today=date(2026, 11, 22)))
    for expected in [
        "FA-2026-00001", "05/10/2026", "04/11/2026", "18", "6 265,31", "1 080,00", "7 345,31", "22/11/2026",
        "Hôtel Continental" if language == "fr" else "فندق كونتيننتال", printed["gie"].legal_name_ar,
    ]:  # fmt: skip
        assert expected in text, expected
    if language == "fr":
        assert "Madame, Monsieur," in text


def test_a_reminder_refuses_another_customers_invoice(printed: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not an invoice addressed to"):
        reminder_pdf(printed["consumer"], [printed["mixed"]])
    with pytest.raises(ValueError, match="not an invoice"):
        reminder_pdf(printed["hotel"], [printed["credit"]])
    with pytest.raises(ValueError, match="at least one"):
        reminder_pdf(printed["hotel"], [])


def test_free_text_keeps_its_own_direction() -> None:
    assert (direction("12 rue de Fès"), direction("طنجة"), direction("12 / 34")) == ("ltr", "rtl", "")
    assert place("36 rue Dar Baroud", "Tanger") == ['<span dir="ltr">36 rue Dar Baroud, Tanger</span>']
    assert place("Douar Bni Ahmed", "شفشاون") == [
        '<span dir="ltr">Douar Bni Ahmed</span>',
        '<span lang="ar" dir="rtl">شفشاون</span>',
    ]
    assert place("", "") == []


def test_the_print_command_writes_one_pdf_per_document(printed: dict[str, Any], tmp_path: Any) -> None:
    out = tmp_path / "pdf"
    stdout = io.StringIO()
    call_command("invoices_print", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out), stdout=stdout)
    names = sorted(path.name for path in out.iterdir())
    assert names == ["coop-olive-FA-2026-00001.pdf", "gie-AV-2026-00001.pdf", "gie-FA-2026-00001.pdf"]
    assert "[3/3]" in stdout.getvalue()
    assert "3 document(s) printed" in stdout.getvalue()
    _, text = pdf_text((out / "gie-AV-2026-00001.pdf").read_bytes())
    assert "AV-2026-00001" in text
    only = tmp_path / "only"
    call_command(
        "invoices_print", "--from", "2026-10-05", "--to", "2026-10-05", "--out", str(only), "--issuer", "coop-olive",
        "--language", "ar", stdout=io.StringIO(),
    )  # fmt: skip
    assert [path.name for path in only.iterdir()] == ["coop-olive-FA-2026-00001.pdf"]
    assert "تعاونية الزيتونة" in pdf_text((only / "coop-olive-FA-2026-00001.pdf").read_bytes())[1]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-10-31"], "--from must be a date"),
        (["--from", "2026-10-01", "--to", "31/10/2026"], "--to must be a date"),
        (["--from", "2026-10-31", "--to", "2026-10-01"], "is after --to"),
        (["--from", "2026-10-01", "--to", "2026-10-31", "--language", "zgh"], "--language must be one of fr, ar"),
        (["--from", "2026-10-01", "--to", "2026-10-31", "--issuer", "nobody"], "no organization with the slug"),
    ],
)
def test_the_print_command_refuses_bad_arguments_clearly(
    world: dict[str, Any], tmp_path: Any, arguments: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("invoices_print", *arguments, "--out", str(tmp_path), stdout=io.StringIO())


def test_print_file_names_are_safe() -> None:
    assert pdf_file_name(issuer_slug="coop-olive", number="FA-2026-00001") == "coop-olive-FA-2026-00001.pdf"
    assert pdf_file_name(issuer_slug="gie", number="../../etc/x y") == "gie-.._.._etc_x_y.pdf"
    assert "/" not in pdf_file_name(issuer_slug="a/b", number="c\\d")


@pytest.mark.parametrize(
    ("written", "fr", "ar"),
    [
        ("Paiement à 30 jours", "Paiement à 30 jours", "الأداء في أجل 30 يوما"),
        ("الأداء في أجل 45 يوما", "Paiement à 45 jours", "الأداء في أجل 45 يوما"),
        ("Paiement à réception", "Paiement à réception", "الأداء عند الاستلام"),
        ("الأداء عند الاستلام", "Paiement à réception", "الأداء عند الاستلام"),
        ("Paiement à 30 jours fin de mois", "Paiement à 30 jours fin de mois", "Paiement à 30 jours fin de mois"),
        ("Paiement à trente jours", "Paiement à trente jours", "Paiement à trente jours"),
        ("", "", ""),
    ],
)
def test_the_standard_payment_terms_are_printed_in_the_documents_language(written: str, fr: str, ar: str) -> None:
    """The form writes the terms in its user's language and the document freezes them: an Arabic print of a document
    made in French said "Paiement à 30 jours". The two standard wordings follow the print; others stay as written."""
    for language, expected in (("fr", fr), ("ar", ar)):
        with translation.override(language):
            assert payment_terms_text(written) == expected, language


def test_the_nature_and_unit_of_a_line_sit_on_its_baseline() -> None:
    """Smaller than the designation and aligned to the top of the row, they printed raised above its line."""
    css = (settings.BASE_DIR / "invoices" / "templates" / "invoices" / "pdf" / "document.css").read_text()
    assert "table.lines td { vertical-align: baseline; }" in css
