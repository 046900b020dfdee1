"""The settlement note's detail prints each product's name whole, French and Arabic alike: a name wraps on a second
line of its column rather than being cut (WeasyPrint's one-line ellipsis dropped the "…" of an Arabic line:
"زيت الزيتون البكر الممتاز — قنينة 5 لتر" printed "— قني"); a name too long for two lines ends with "…"."""

import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from sales.pdf_settlement import NAME_CHARS, note_context, settlement_note_pdf, shorten
from sales.settlements import settle
from sales.summaries import summarize
from tests.sales.conftest import TODAY
from tests.sales.sold import sell

pytestmark = pytest.mark.django_db
NAME_FR = "Huile d'olive vierge extra — bidon de 5 l"
NAME_AR = "زيت الزيتون البكر الممتاز — قنينة 5 لتر"
SHOTS = Path("/tmp/shots")


def words(pdf: Path) -> str:
    """The page's text as pdftotext reads it, Arabic letters back to their plain forms."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return unicodedata.normalize("NFKC", text)


def test_long_names_wrap_whole_in_both_languages(fair: dict[str, Any], tmp_path: Path) -> None:
    oil = fair["products"]["huile"]
    oil.name_fr, oil.name_ar = NAME_FR, NAME_AR
    oil.save(update_fields=["name_fr", "name_ar"])
    sell(fair)
    summarize(fair["event"], today=TODAY)
    settlement = settle(fair["event"], fair["exempt"], on=TODAY, today=TODAY)
    (line,) = note_context(settlement, printed_on=TODAY)["detail"]
    assert (line["fr"], line["ar"]) == (NAME_FR, NAME_AR)  # under NAME_CHARS: whole
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(settlement_note_pdf(settlement, printed_on=TODAY))
    assert len(PdfReader(pdf).pages) == 1
    text = words(pdf)
    for word in ("bidon", "5 l", "قنينة", "لتر", "الممتاز"):  # the name's last words: printed, not cut
        assert word in text, word
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(tmp_path / "note")], check=True)
    if SHOTS.is_dir():  # for a look by eye
        (SHOTS / "settlement-long-names.png").write_bytes((tmp_path / "note-1.png").read_bytes())


def test_a_name_too_long_for_two_lines_says_it_is_shortened() -> None:
    long_ar = "زيت الزيتون البكر الممتاز من ضيعات جبال الريف المعصور على البارد — قنينة زجاجية 5 لتر"
    short = shorten(long_ar)
    assert len(long_ar) > NAME_CHARS
    assert short.endswith("…")
    assert len(short) <= NAME_CHARS
    assert long_ar.startswith(short[:-1])
    assert not short[:-1].endswith(" ")  # cut at a word
    assert shorten(NAME_FR) == NAME_FR
    assert shorten("  a   b ") == "a b"
