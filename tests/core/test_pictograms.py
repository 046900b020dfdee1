"""The shipped PNG pictograms are the current drawings (rebuild: python -m gie_erp.core.pictograms)."""

import json

from gie_erp.core import pictograms


def test_shipped_pngs_match_the_drawings() -> None:
    shipped = json.loads(pictograms.MANIFEST.read_text(encoding="utf-8"))
    assert shipped == pictograms.manifest()
    for name in pictograms.SOURCES:
        png = pictograms.PNG_DIR / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_pictograms_are_images_of_the_shipped_files() -> None:
    assert str(pictograms.ARROW_IN).startswith('<img class="pict in" src="file://')
    assert "arrow-in.png" in str(pictograms.ARROW_IN)
    assert "/gie_erp/core/pictograms/box-missing.png" in str(pictograms.BOX_MISSING)
