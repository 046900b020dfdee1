"""The deposit note keeps its signature boxes with the products: a note of up to a dozen products (long names in both
languages) is one page; a longer one runs on, its header repeated, and the signatures follow the last products on
the last page, never alone on a page of their own (the QA's 4-product note put both blocks alone on page 2)."""

import io
import subprocess
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from sales.consignment import deposits_record
from sales.models import Product
from sales.pdf_stock import deposit_note_pdf
from tests.sales.conftest import D

pytestmark = pytest.mark.django_db
SHOTS = Path("/tmp/shots")
SIGNATURE = "Pour la coopérative"


def pages_text(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]


def note(fair: dict[str, Any], accountant: Any, count: int) -> bytes:
    """coop-olive's note with ``count`` products of long names (and the fixture's oil), all deposited."""
    olive = fair["exempt"]
    products = [fair["products"]["huile"]]
    for n in range(1, count):
        products.append(
            Product.objects.create(
                organization=olive, code=f"olive-{n:02d}", scan_code=f"29000000{n:05d}",
                name_fr=f"Huile d'olive vierge extra n° {n} — bidon de 5 l",
                name_ar=f"زيت الزيتون البكر الممتاز {n} — قنينة 5 لتر",
                unit=Product.Unit.PIECE if n % 2 else Product.Unit.LITRE, price=D("390.00"), vat_code="exonere-91",
            )
        )  # fmt: skip
    quantities = {product.pk: D(str(10 + n)) for n, product in enumerate(products)}
    deposits_record(event=fair["event"], organization=olive, quantities=quantities, on=date(2026, 11, 19),
                    acting_user=accountant)  # fmt: skip
    return deposit_note_pdf(fair["event"], olive)


def look(pdf: bytes, name: str) -> None:
    if SHOTS.is_dir():  # for a look by eye
        path = SHOTS / f"{name}.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(SHOTS / name)], check=True)


@pytest.mark.parametrize("count", [4, 12])
def test_a_short_note_is_one_page_with_its_signatures(fair: dict[str, Any], accountant: Any, count: int) -> None:
    pdf = note(fair, accountant, count)
    look(pdf, f"deposit-note-{count}")
    (page,) = pages_text(pdf)
    assert page.count(SIGNATURE) == 2  # at the deposit and at the return
    assert f"olive-{count - 1:02d}" in page


def test_a_long_note_keeps_its_signatures_after_the_products(fair: dict[str, Any], accountant: Any) -> None:
    pdf = note(fair, accountant, 30)
    look(pdf, "deposit-note-30")
    pages = pages_text(pdf)
    assert len(pages) >= 2
    last = pages[-1]
    assert all(SIGNATURE not in page for page in pages[:-1])
    assert last.count(SIGNATURE) == 2
    assert last.index("olive-29") < last.index(SIGNATURE)  # the last product, then the signatures
    assert "Code" in last  # the table's header again on the last page: products are on it, not signatures alone
