"""The printed page: one A4 page, the phrases and amounts in both languages, only the shipped fonts, no tofu."""

import io
import math
import re
import subprocess
import unicodedata
from datetime import date
from functools import cache
from html.parser import HTMLParser
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageOps
from pypdf import PdfReader

from gie_erp.core.pdf import FONT_FACES, PdfRenderError, render_pdf
from gie_erp.statements.services import statement_build, statement_html, statement_pdf
from ledger.models import Journal
from ledger.services import journal_entry_post
from tests.ledger.conftest import TODAY, cr, dr, post

PRINTED_ON = date(2026, 11, 22)
SHIPPED_FONT = re.compile(r"^/([A-Z]{6}\+)?GIE-(Sans|Naskh|Tifinagh)(-Bold)?$")


def normalise(text: str) -> str:
    """NFKC folds the narrow no-break space and Arabic presentation forms; whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def page_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, normalise("\n".join(page.extract_text() for page in reader.pages))


@cache
def shipped_cmaps() -> tuple[frozenset[int], ...]:
    return tuple(frozenset(TTFont(face.path).getBestCmap()) for face in FONT_FACES)


class _Text(HTMLParser):
    """The visible text of the HTML (SVG has no text by design)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in {"title", "style", "svg"}

    def handle_endtag(self, tag):
        self.skip -= tag in {"title", "style", "svg"}

    def handle_data(self, data):
        if not self.skip:
            self.chunks.append(data)


@pytest.fixture
def march_pdf(books, coop_a):
    return statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON)


def test_exactly_one_a4_page(march_pdf):
    reader, _ = page_text(march_pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_french_and_arabic_phrases_and_amounts_are_in_the_text(march_pdf):
    _, text = page_text(march_pdf)
    for phrase in [
        "Solde au début du mois",
        "Solde à la fin du mois",
        "Ventes au comptant",
        "Paiements fournisseurs",
        "Frais et services du GIE",
        "Coopérative Alpha",
        "Mars 2026",
        "الرصيد في بداية الشهر",
        "الرصيد في نهاية الشهر",
        "المبيعات نقدا",
        "تسديدات للممونين",
        "مصاريف التكوين",
        "تعاونية ألفا",
        "مارس",
        "24 050,00",  # opening
        "+ 8 450,50",  # sales paid at once: 2 450,50 in cash + 6 000 at the fair (the 4 800 on credit are not paid)
        "+ 15 000,00",  # grant
        "- 720,00",  # GIE commission
        "- 3 200,00",  # the supplier paid
        "40 855,50",  # closing
    ]:
        assert phrase in text, phrase


def test_only_the_shipped_fonts_are_embedded(march_pdf):
    reader, _ = page_text(march_pdf)
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    names = {str(font["/BaseFont"]) for font in fonts.values()}
    assert names
    assert all(SHIPPED_FONT.match(name) for name in names), names


def test_every_character_is_covered_by_a_shipped_font(books, coop_a):
    coop_a.wants_tamazight = True
    statement = statement_build(organization=coop_a, year=2026, month=3)
    parser = _Text()
    parser.feed(statement_html(statement, printed_on=PRINTED_ON))
    characters = {ch for ch in "".join(parser.chunks) if not ch.isspace()}
    assert any("\u2d30" <= ch <= "\u2d7f" for ch in characters)  # Tifinagh is on the page
    missing = {ch for ch in characters if not any(ord(ch) in cmap for cmap in shipped_cmaps())}
    assert not missing, sorted(missing)


def test_tamazight_labels_when_the_cooperative_asks(books, coop_a):
    coop_a.wants_tamazight = True
    reader, text = page_text(statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON))
    assert len(reader.pages) == 1
    assert "ⴰⵣⵏⵣ" in text
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    names = {str(font["/BaseFont"]) for font in fonts.values()}
    assert any("GIE-Tifinagh" in name for name in names)
    assert all(SHIPPED_FONT.match(name) for name in names), names


def busiest_month(books: dict[str, Any], coop_a: Any) -> None:
    """Every row of the mapping non-zero, Tamazight labels, long names, and 15 more entries with long labels."""
    post(books["a"], date(2026, 3, 29), "x1", dr("5141", "12.00"), cr("7321", "12.00"))  # other income
    post(books["a"], date(2026, 3, 29), "x2", dr("5141", "1800.00"), cr("3421", "1800.00"))  # a customer pays
    post(books["a"], date(2026, 3, 29), "x3", dr("6121", "310.40"), cr("5161", "310.40"))  # bought in cash
    post(books["a"], date(2026, 3, 30), "x4", dr("2332", "2500.00"), cr("5141", "2500.00"))  # equipment
    for day in range(1, 16):
        journal_entry_post(
            book=books["a"],
            posted_on=date(2026, 3, day),
            journal=Journal.CASH,
            lines=(dr("5161", f"{day * 1111}.{day:02d}"), cr("7121", f"{day * 1111}.{day:02d}")),
            description=f"Vente au comptant n°{day} — huile d'argan, amlou et miel de thym, marché hebdomadaire "
            "de Bab Berred, client de passage"[:120],
            source_ref=f"TK-LONG-{day}",
            idempotency_key=f"long-{day}",
            today=TODAY,
        )
    coop_a.wants_tamazight = True
    coop_a.legal_name_fr = "Coopérative agricole féminine des productrices d'huile d'argan et de plantes aromatiques"
    coop_a.legal_name_ar = "التعاونية الفلاحية النسوية لمنتجات زيت الأركان والنباتات العطرية والطبية بإقليم شفشاون"


def test_the_busiest_page_still_fits_on_one_page(books, coop_a, gie):
    busiest_month(books, coop_a)
    statement = statement_build(organization=coop_a, year=2026, month=3)
    assert len(statement.figures.shown_rows()) == len(statement.figures.rows) == 11
    reader, _ = page_text(statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON))
    assert len(reader.pages) == 1


MM = 72 / 25.4  # PDF points per millimetre
PAGE_MARGIN_MM = 12


def test_everything_printed_sits_inside_a_12_mm_margin(books, coop_a, gie, tmp_path):
    """Printers clip near the edge: every word (pdftotext's boxes) and every drawn pixel (colour bands, rules,
    backgrounds) of the busiest page lies within 12 mm of each edge of the A4 sheet."""
    busiest_month(books, coop_a)
    statement = statement_build(organization=coop_a, year=2026, month=3)
    assert len(statement.details) >= 6  # a full detail table
    pdf = tmp_path / "busiest.pdf"
    pdf.write_bytes(statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON))
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    words = [
        (m["word"], float(m["x0"]), float(m["y0"]), float(m["x1"]), float(m["y1"]))
        for m in re.finditer(
            r'<word xMin="(?P<x0>[\d.]+)" yMin="(?P<y0>[\d.]+)" xMax="(?P<x1>[\d.]+)" yMax="(?P<y1>[\d.]+)">'
            r"(?P<word>[^<]*)</word>",
            xhtml,
        )
    ]
    assert len(words) > 150
    printed = {word for word, *_ in words}
    assert "amlou" in printed  # the long labels are printed…
    assert "passage" not in printed  # …on one line, cut with an ellipsis inside their column
    low, high_x, high_y = PAGE_MARGIN_MM * MM, (210 - PAGE_MARGIN_MM) * MM, (297 - PAGE_MARGIN_MM) * MM
    slack = 0.01  # points: text set flush against the margin ends there up to float rounding
    outside = [
        (word, round(x0 / MM, 3), round(y0 / MM, 3), round(x1 / MM, 3), round(y1 / MM, 3))
        for word, x0, y0, x1, y1 in words
        if x0 < low - slack or y0 < low - slack or x1 > high_x + slack or y1 > high_y + slack
    ]
    assert not outside, outside[:10]

    dpi = 100
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", str(dpi), str(pdf), str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page-1.png").convert("L")
    ink = ImageOps.invert(page).point(lambda level: 255 if level > 8 else 0).getbbox()
    assert ink is not None
    px = dpi / 25.4  # pixels per millimetre
    left, top, right, bottom = ink  # right and bottom are exclusive: the first blank column / row
    assert left >= math.floor(PAGE_MARGIN_MM * px), left / px
    assert top >= math.floor(PAGE_MARGIN_MM * px), top / px
    assert right <= math.ceil((210 - PAGE_MARGIN_MM) * px), right / px
    assert bottom <= math.ceil((297 - PAGE_MARGIN_MM) * px), bottom / px


def test_a_weasyprint_warning_fails_the_render():
    with pytest.raises(PdfRenderError, match="unicode-bidi"):
        render_pdf('<p style="unicode-bidi: isolate">x</p>', base_url=".")


def test_rendering_a_statement_logs_no_weasyprint_warning(books, coop_a, caplog):
    with caplog.at_level("WARNING", logger="weasyprint"):
        statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
