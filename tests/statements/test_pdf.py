"""The printed page: one A4 page, the phrases and amounts in both languages, only the shipped fonts, no tofu."""

import io
import re
import unicodedata
from datetime import date
from functools import cache
from html.parser import HTMLParser
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from gie_erp.core.pdf import FONT_FACES, PdfRenderError, render_pdf
from gie_erp.statements.services import statement_build, statement_html, statement_pdf

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
        "Ventes",
        "Frais et services du GIE",
        "Coopérative Alpha",
        "Mars 2026",
        "الرصيد في بداية الشهر",
        "الرصيد في نهاية الشهر",
        "مداخيل المبيعات",
        "مصاريف التكوين",
        "تعاونية ألفا",
        "مارس",
        "24 050,00",  # opening
        "+ 13 250,50",  # sales
        "+ 15 000,00",  # grant
        "- 720,00",  # GIE commission
        "- 4 800,00",  # not yet paid by the customer
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


def test_the_busiest_page_still_fits_on_one_page(books, coop_a, gie):
    """Every row non-zero, Tamazight labels, long names: still one page."""
    from tests.ledger.conftest import cr, dr, post

    post(books["a"], date(2026, 3, 29), "x1", dr("5141", "12.00"), cr("7321", "12.00"))  # other income
    coop_a.wants_tamazight = True
    coop_a.legal_name_fr = "Coopérative agricole féminine des productrices d'huile d'argan et de plantes aromatiques"
    coop_a.legal_name_ar = "التعاونية الفلاحية النسوية لمنتجات زيت الأركان والنباتات العطرية والطبية بإقليم شفشاون"
    statement = statement_build(organization=coop_a, year=2026, month=3)
    assert len(statement.figures.shown_rows()) == 9
    reader, _ = page_text(statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON))
    assert len(reader.pages) == 1


def test_a_weasyprint_warning_fails_the_render():
    with pytest.raises(PdfRenderError, match="unicode-bidi"):
        render_pdf('<p style="unicode-bidi: isolate">x</p>', base_url=".")


def test_rendering_a_statement_logs_no_weasyprint_warning(books, coop_a, caplog):
    with caplog.at_level("WARNING", logger="weasyprint"):
        statement_pdf(organization=coop_a, year=2026, month=3, printed_on=PRINTED_ON)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
