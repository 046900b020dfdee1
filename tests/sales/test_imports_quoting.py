"""A product named like a formula, quoted as a spreadsheet writes it (a ``"`` inside doubled), imports with its exact
text in its own column, and leaves the product list's exports as text, never as a live formula."""

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from sales.catalogue_import import products_import
from sales.models import Product
from tests.sales.conftest import TODAY, D

pytestmark = pytest.mark.django_db
NAME = '=HYPERLINK("http://evil.example","clic")'
QUOTED = '"=HYPERLINK(""http://evil.example"",""clic"")"'


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_formula_like_name_imports_whole(fair: dict[str, Any], accountant: Any, delimiter: str) -> None:
    header = ["membre", "code", "nom_fr", "nom_ar", "unite", "prix_ttc", "tva", "pictogramme", "en_vente"]
    row = ["coop-miel", "qa-1", QUOTED, "عسل", "pot", "70", "20", "honey", "oui"]
    content = (delimiter.join(header) + "\n" + delimiter.join(row) + "\n").encode()
    report = products_import(filename="produits.csv", content=content, acting_user=accountant, today=TODAY)
    assert (report.rows_read, report.rows_written) == (1, 1)
    product = Product.objects.get(code="qa-1")
    # every later column in its place: the Arabic name, the unit, the price, the VAT, the pictogram
    assert (product.name_fr, product.name_ar, product.unit, product.price, product.vat_code, product.pictogram) == (
        NAME, "عسل", "pot", D("70.00"), "normal-20", "honey",
    )  # fmt: skip


def test_exports_keep_the_name_as_text(client: Any, fair: dict[str, Any], accountant: Any) -> None:
    content = f"membre,code,nom_fr,prix_ttc\ncoop-miel,qa-2,{QUOTED},70\n".encode()
    products_import(filename="produits.csv", content=content, acting_user=accountant, today=TODAY)
    client.force_login(accountant)
    text = client.get("/sales/products/?member=coop-miel&export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))
    names = [cells[2] for cells in rows[1:] if cells[1] == "qa-2"]
    assert names == ["'" + NAME]  # a leading apostrophe: no spreadsheet runs it
    book = load_workbook(io.BytesIO(client.get("/sales/products/?member=coop-miel&export=xlsx").content))
    sheet = book.worksheets[0]
    cell = next(row[2] for row in sheet.iter_rows() if row[1].value == "qa-2")
    assert (cell.value, cell.data_type) == (NAME, "s")  # text, not a formula
