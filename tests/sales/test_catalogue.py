"""Members' products: scan codes (in-store EAN-13), VAT per product against the member's status, the import of a
sheet (all or nothing), the pages, and the price labels PDF (rendered, read back and looked at)."""

import html
import io
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfReader

from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from sales.catalogue import PICTOGRAMS, is_scan_code, pictogram_static, product_save, scan_codes_next
from sales.catalogue_import import products_import
from sales.labels import ean13_modules, labels_pdf
from sales.models import Product
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.sales.conftest import TODAY, D

pytestmark = pytest.mark.django_db
SHOTS = Path("/tmp/shots")
SHIPPED_FONT = re.compile(r"^/([A-Z]{6}\+)?GIE-(Sans|Naskh|Tifinagh)(-Bold)?$")


def new(fair: dict[str, Any], member: str, **data: Any) -> Product:
    values = {"code": "savon", "name_fr": "Savon", "unit": "piece", "price": D("25.00"), **data}
    return product_save(product=None, organization=fair[member], data=values, acting_user=fair["seller"], today=TODAY)


# Scan codes and VAT ----------------------------------------------------------------------------------------------


def test_a_new_product_takes_the_next_in_store_ean13(fair: dict[str, Any], accountant: Any) -> None:
    # the fixture holds 20 0000000001 5 … 20 0000000004 6; next number 5: 2·1 + 5·3 = 17 → check (10 − 7) = 3
    product = new(fair, "registered", vat_code="normal-20")
    assert product.scan_code == "2000000000053"
    assert is_scan_code(product.scan_code)
    assert scan_codes_next(2) == ["2000000000060", "2000000000077"]  # 2 + 18 = 20 → 0; 2 + 21 = 23 → 7
    event = AuditEvent.objects.get(event="sales.product_created")
    assert (event.target_id, event.data) == (str(product.pk), {"scan_code": "2000000000053"})


def test_an_art_91_member_sells_only_exonere_91(fair: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        new(fair, "exempt", vat_code="normal-20")
    assert refused.value.message_dict["vat_code"] == [
        "Coopérative Zitouna est exonérée de TVA (art. 91) : ses produits sont tous exonérés (art. 91), pas "
        "« TVA 20 % (taux normal) »."
    ]
    assert not Product.objects.filter(code="savon").exists()
    assert new(fair, "exempt").vat_code == "exonere-91"  # the default for an exempt member


def test_a_vat_registered_member_chooses_20_10_or_an_exemption_valid_today(fair: dict[str, Any]) -> None:
    for code in ("normal-20", "reduit-10", "exonere-91"):
        assert new(fair, "registered", code=f"savon-{code}", vat_code=code).vat_code == code
    with pytest.raises(ValidationError) as refused:  # 14 % ended on 31/12/2025
        new(fair, "registered", code="savon-14", vat_code="reduit-14")
    assert refused.value.message_dict["vat_code"] == ["Le taux « reduit-14 » n'est pas en vigueur le 2026-11-30."]


def test_codes_are_unique_per_member_and_the_gie_has_no_products(fair: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        new(fair, "registered", code="miel-250", vat_code="normal-20")
    assert refused.value.message_dict["code"] == [
        "Le code miel-250 est déjà celui d'un autre produit de Coopérative Nahla."
    ]
    assert new(fair, "exempt", code="miel-250").organization == fair["exempt"]  # another member may use it
    with pytest.raises(ValidationError) as refused:
        new(fair, "gie", code="cafe")
    assert "organization" in refused.value.message_dict


def test_an_edit_keeps_the_scan_code_and_is_audited(fair: dict[str, Any], accountant: Any) -> None:
    miel = fair["products"]["miel"]
    saved = product_save(product=miel, data={"price": D("125.00")}, acting_user=accountant, today=TODAY)
    assert (saved.price, saved.scan_code) == (D("125.00"), "2000000000022")
    event = AuditEvent.objects.get(event="sales.product_updated")
    assert (event.actor, event.data) == (accountant, {"fields": ["price"]})
    product_save(product=miel, data={"price": D("125.00")}, acting_user=accountant, today=TODAY)
    assert AuditEvent.objects.filter(event="sales.product_updated").count() == 1  # nothing changed: no row


def test_ean13_bars_follow_the_gs1_tables() -> None:
    # 4006381333931, first digit 4 → parity L G L L G G (GS1 table); digits and patterns copied from the spec:
    # L0 0001101, G0 0100111, L6 0101111, L3 0111101, G8 0001001, G1 0110011; R3 1000010 ×3, R9 1110100, R3, R1 1100110
    left = "000110101001110101111011110100010010110011"
    right = "100001010000101000010111010010000101100110"
    assert ean13_modules("4006381333931") == "101" + left + "01010" + right + "101"
    assert len(ean13_modules("2000000000022")) == 95


def test_every_pictogram_has_its_drawing() -> None:
    for name in PICTOGRAMS:
        path = finders.find(str(pictogram_static(name)))
        assert path is not None, name
        root = ElementTree.parse(path).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg", name
    assert pictogram_static("licorne") is None


# Import ----------------------------------------------------------------------------------------------------------

HEADER = "membre,code,nom_fr,nom_ar,unite,prix_ttc,tva,pictogramme,en_vente"


def sheet(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_a_sheet_creates_and_updates_products_keyed_by_member_and_code(fair: dict[str, Any], accountant: Any) -> None:
    tapis_ice = fair["tapis"].ice
    content = sheet(
        f'{tapis_ice},tapis-l,Grand tapis,زربية كبيرة,pièce,"1 200,00",,carpet,oui',  # by ICE; exempt by default
        "coop-miel,miel-250,,,,125.50,,,",  # an update: only the price changes
        "coop-miel,miel-1kg,Miel de thym 1 kg,عسل الزعتر 1 كلغ,pot,420,10,honey,",
    )
    report = products_import(filename="produits.csv", content=content, acting_user=accountant, today=TODAY)
    assert (report.rows_read, report.rows_written) == (3, 3)
    big = Product.objects.get(code="tapis-l")
    assert (big.organization, big.price, big.vat_code, big.pictogram, big.scan_code) == (
        fair["tapis"],
        D("1200.00"),
        "exonere-91",
        "carpet",
        "2000000000053",
    )
    kilo = Product.objects.get(code="miel-1kg")
    assert (kilo.price, kilo.vat_code, kilo.unit, kilo.scan_code) == (D("420.00"), "reduit-10", "pot", "2000000000060")
    miel = Product.objects.get(code="miel-250")
    assert (miel.price, miel.name_fr, miel.vat_code) == (D("125.50"), "Miel de thym 250 g", "normal-20")
    assert AuditEvent.objects.filter(event="sales.product_created").count() == 2
    update = AuditEvent.objects.get(event="sales.product_updated")
    assert update.data == {"via": "import", "file": "produits.csv", "fields": ["price"]}


def test_a_wrong_row_refuses_the_whole_sheet(fair: dict[str, Any], accountant: Any) -> None:
    before = Product.objects.count()
    content = sheet(
        "coop-miel,cire,Cire d'abeille,,piece,30,,,",  # row 2: fine
        "coop-inconnue,x,X,,,10,,,",  # row 3: unknown member
        "coop-olive,savon,Savon,,,20,20,,",  # row 4: an art. 91 member at 20 %
        "coop-miel,pollen,Pollen,,sac,12.345,,licorne,peut-être",  # row 5: unit, price, pictogram, yes/no
        "coop-miel,propolis,,,,,,,",  # row 6: a new product without name nor price
        "coop-miel,cire,Cire,,,30,,,",  # row 7: twice in the sheet
    )
    with pytest.raises(ImportRefused) as refused:
        products_import(filename="produits.csv", content=content, acting_user=accountant, today=TODAY)
    found = {(e.row, e.field, e.code) for e in refused.value.report.errors}
    assert found == {
        (3, "membre", ErrorCode.IMPORT_UNKNOWN_MEMBER),
        (4, "tva", ErrorCode.PRODUCT_EXEMPT_MEMBER_VAT),
        (5, "unite", ErrorCode.IMPORT_BAD_VALUE),
        (5, "prix_ttc", ErrorCode.AMOUNT_AMBIGUOUS),
        (5, "pictogramme", ErrorCode.IMPORT_BAD_VALUE),
        (5, "en_vente", ErrorCode.IMPORT_BAD_VALUE),
        (6, "nom_fr", ErrorCode.IMPORT_MISSING_FIELD),
        (6, "prix_ttc", ErrorCode.IMPORT_MISSING_FIELD),
        (7, "code", ErrorCode.IMPORT_DUPLICATE),
    }
    unknown = next(e for e in refused.value.report.errors if e.row == 3).messages()
    assert "coop-inconnue" in unknown["ar"]
    assert unknown["ar"] != unknown["fr"]  # in both languages
    assert Product.objects.count() == before  # the good row 2 was not written either
    assert not AuditEvent.objects.filter(event__startswith="sales.product").exists()


def test_an_xlsx_sheet_reads_numeric_cells(fair: dict[str, Any], accountant: Any) -> None:
    workbook = Workbook()
    sheet_ = workbook.active
    sheet_.append(HEADER.split(","))
    sheet_.append(["coop-miel", "amlou-500", "Amlou 500 g", "أملو 500 غ", "pot", 99.5, 10, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    products_import(filename="produits.xlsx", content=buffer.getvalue(), acting_user=accountant, today=TODAY)
    amlou = Product.objects.get(code="amlou-500")
    assert (amlou.price, amlou.vat_code, amlou.name_ar) == (D("99.50"), "reduit-10", "أملو 500 غ")


# Pages -----------------------------------------------------------------------------------------------------------


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (1600, 1200), (200, 150, 0, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_list_searches_and_filters_by_member(client: Any, accountant: Any, fair: dict[str, Any]) -> None:
    client.force_login(accountant)
    page = client.get("/sales/products/?q=miel").content.decode()
    assert 'data-code="miel-250"' in page
    assert 'data-code="huile-1l"' not in page
    page = client.get("/sales/products/?member=coop-miel").content.decode()
    assert 'data-code="amlou-250"' in page
    assert 'data-code="tapis-s"' not in page
    export = client.get("/sales/products/?member=coop-olive&export=csv").content.decode("utf-8-sig")
    assert (
        export.splitlines()[1]
        == "coop-olive,huile-1l,Huile d'olive 1 l,زيت الزيتون 1 ل,litre,80.00,Exonéré (art. 91),2000000000015,,oui,"
        "exonere-91"
    )  # the VAT as people read it; its code last, as the import's « tva » column takes it


def test_who_reads_and_who_writes(client: Any, fair: dict[str, Any]) -> None:
    miel = fair["products"]["miel"]
    reads = ["/sales/products/", f"/sales/products/{miel.pk}/", f"/sales/products/labels.pdf?product={miel.pk}"]
    writes = ["/sales/products/new/", f"/sales/products/{miel.pk}/edit/", "/sales/products/import/"]
    client.force_login(UserFactory(role=Role.AUDITOR))
    assert [client.get(url).status_code for url in reads + writes] == [200, 200, 200, 403, 403, 403]
    client.force_login(RepresentativeFactory(organization=fair["registered"]))  # its products are in the portal
    assert {client.get(url).status_code for url in reads + writes} == {403}
    client.force_login(fair["seller"])
    assert {client.get(url).status_code for url in reads + writes} == {403}


def test_the_form_creates_a_product_with_its_photo_reencoded(
    client: Any, accountant: Any, fair: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(accountant)
    data = {
        "organization": fair["registered"].pk,
        "code": "pollen",
        "name_fr": "Pollen",
        "name_ar": "حبوب اللقاح",
        "unit": "pot",
        "price": "65,00",
        "vat_code": "reduit-10",
        "pictogram": "honey",
        "is_active": "on",
    }
    photo = SimpleUploadedFile("../../evil.png", png_bytes(), content_type="image/png")
    response = client.post("/sales/products/new/", {**data, "photo": photo})
    product = Product.objects.get(code="pollen")
    assert response.status_code == 302
    assert (product.price, product.vat_code, product.scan_code) == (D("65.00"), "reduit-10", "2000000000053")
    assert re.fullmatch(r"sales/products/product-[0-9a-f]{12}\.jpg", str(product.photo.name))
    with Image.open(product.photo.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (800, 600))  # 1600 × 1200 scaled to 800 px


def test_the_form_refuses_a_fake_photo_and_a_vat_the_member_may_not_use(
    client: Any, accountant: Any, fair: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(accountant)
    data = {
        "organization": fair["exempt"].pk,
        "code": "savon",
        "name_fr": "Savon",
        "unit": "piece",
        "price": "20",
        "vat_code": "normal-20",
    }
    fake = SimpleUploadedFile("photo.png", b"<svg onload=alert(1)>", content_type="image/png")
    page = client.post("/sales/products/new/", {**data, "photo": fake}).content.decode()
    assert "seules les images JPEG et PNG sont acceptées" in page
    assert not Product.objects.filter(code="savon").exists()
    huile = fair["products"]["huile"]  # no sale, no deposit: its form offers every code; the service refuses 20 %
    edit = {**data, "organization": fair["exempt"].pk, "code": huile.code, "vat_code": "normal-20"}
    page = html.unescape(client.post(f"/sales/products/{huile.pk}/edit/", edit).content.decode())
    assert "ses produits sont tous exonérés (art. 91), pas « TVA 20 % (taux normal) »" in page
    assert Product.objects.get(pk=huile.pk).vat_code == "exonere-91"


def test_the_import_page_lists_errors_in_both_languages(client: Any, accountant: Any, fair: dict[str, Any]) -> None:
    client.force_login(accountant)
    upload = SimpleUploadedFile("p.csv", sheet("coop-x,a,A,,,1,,,"), content_type="text/csv")
    page = client.post("/sales/products/import/", {"file": upload}).content.decode()
    assert "Coopérative inconnue : coop-x." in page
    assert 'lang="ar"' in page
    template = client.get("/sales/products/import/template.csv").content.decode("utf-8-sig")
    assert template.strip() == HEADER


# Labels ----------------------------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def to_png(pdf: bytes, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(SHOTS / f"{name}.pdf"), str(SHOTS / name)], check=True)


def test_labels_carry_both_names_the_price_and_the_scan_code(fair: dict[str, Any]) -> None:
    products = list(Product.objects.select_related("organization").order_by("scan_code"))
    pdf = labels_pdf(products, copies=6, bars=True)  # 4 × 6 = 24 labels: two sheets of 21
    reader, text = pdf_text(pdf)
    assert len(reader.pages) == 2
    # single-language pieces: pypdf gives an Arabic run with digits in visual order
    for piece in (
        "Mieldethym250g",
        "عسلالزعتر",
        "120,00",
        "2000000000022",
        "CoopérativeNahla",
        "تعاونيةالنحلة",
        "pot",
        "برطمان",
        "Petittapis",
        "450,00",
    ):
        assert piece in text, piece
    assert all(SHIPPED_FONT.match(name) for name in fonts(reader))
    to_png(pdf, "sales-labels")
    to_png(labels_pdf(products[:2], copies=2), "sales-labels-qr-only")


def test_the_labels_page_answers_a_pdf_of_the_filtered_products(client: Any, accountant: Any, fair: Any) -> None:
    client.force_login(accountant)
    response = client.get("/sales/products/labels.pdf?member=coop-miel&copies=3")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    _reader, text = pdf_text(response.content)
    assert "Amlou250g" in text
    assert "Petittapis" not in text
    response = client.get("/sales/products/labels.pdf?member=coop-miel&copies=500")
    assert response.status_code == 302  # refused with a message, back to the list
