"""The statement draws every row's category and arrow with the kernel's pictograms (shared with the settlement
note; their PNG files are checked in tests/core/test_pictograms.py)."""

from gie_erp.core import pictograms as drawings
from gie_erp.statements import pictograms
from gie_erp.statements.mapping import DEFAULT_MAPPING, Icon


def test_every_category_has_a_shipped_drawing() -> None:
    assert set(pictograms.CATEGORY) == set(Icon)
    assert {row.icon for row in DEFAULT_MAPPING.rows} <= set(pictograms.CATEGORY)
    for image in pictograms.CATEGORY.values():
        assert str(image).startswith('<img class="pict ')
        assert drawings.PNG_DIR.as_uri() in str(image)


def test_the_arrows_are_the_kernels() -> None:
    assert pictograms.ARROW_IN is drawings.ARROW_IN
    assert "arrow-in.png" in str(pictograms.ARROW_IN)
