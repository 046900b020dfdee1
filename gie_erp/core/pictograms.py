"""Pictograms of the printed documents (the monthly statement, the settlement note): thick strokes that survive a
black-and-white photocopy, no text inside. The arrows carry the meaning by shape, the colours only repeat it.

The drawings are written here in SVG and shipped as PNG files rendered from them (``python -m
gie_erp.core.pictograms`` rebuilds them with Debian's chromium): WeasyPrint redraws an SVG at every use, which took
about a quarter of a statement's render time, while a PNG is decoded once per process and placed as one shared
image (opaque, on a white tile: an alpha channel is re-encoded for every document). ``manifest.json`` holds the
hash of each drawing; a test fails when a drawing changes without a rebuild. The web pages inline the SVG sources
(``SOURCES``) instead.
"""

import hashlib
import json
import sys
from pathlib import Path

from django.utils.html import format_html
from django.utils.safestring import SafeString

PNG_DIR = Path(__file__).resolve().parent / "pictograms"
MANIFEST = PNG_DIR / "manifest.json"
PNG_PIXELS = 192  # 48-unit drawings at 4×: about 600 dpi at the 8 mm they are printed

GREEN = "#1b7a3a"
RED = "#b8322a"
GOLD = "#c8960c"
GREY = "#555555"
INK = "#3a3a3a"

_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" class="pict {cls}">{body}</svg>'
_STROKE = 'fill="none" stroke="{color}" stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"'


#: name → SVG source of every drawing
SOURCES: dict[str, str] = {}


def _svg(cls: str, body: str, *, name: str) -> SafeString:
    """Register a drawing and return the ``<img>`` that places its PNG."""
    SOURCES[name] = _SVG.format(cls=cls, body=body)
    return format_html('<img class="pict {}" src="{}" alt="">', cls, (PNG_DIR / f"{name}.png").as_uri())


def _stroke(color: str, width: float = 4) -> str:
    return _STROKE.format(color=color, width=width)


_TRAY = "M6 28 v12 h36 v-12"
_COIN_STACK = "".join(
    f'<path d="M8 {y} v6 a16 6 0 0 0 32 0 v-6" fill="{GOLD}" stroke="#7a5a00" stroke-width="2"/>'
    f'<ellipse cx="24" cy="{y}" rx="16" ry="6" fill="#f1c232" stroke="#7a5a00" stroke-width="2"/>'
    for y in (34, 25, 16)
)

# The direction of money: into the tray (received), out of the tray (paid or owed), coins (balance), ⇄ (transfer).
ARROW_IN = _svg(
    "in",
    f'<path d="{_TRAY}" {_stroke(GREEN, 5)}/><path d="M24 4 v26 M14 20 l10 10 l10 -10" {_stroke(GREEN, 5)}/>',
    name="arrow-in",
)
ARROW_OUT = _svg(
    "out",
    f'<path d="{_TRAY}" {_stroke(RED, 5)}/><path d="M24 32 v-28 M14 14 l10 -10 l10 10" {_stroke(RED, 5)}/>',
    name="arrow-out",
)
COINS = _svg("balance", _COIN_STACK, name="coins")
EXCHANGE = _svg(
    "transfer",
    f'<path d="M6 16 h34 M32 8 l8 8 l-8 8 M42 32 h-34 M16 24 l-8 8 l8 8" {_stroke(GREY, 4)}/>',
    name="exchange",
)

# What the money was for, next to the arrow of a row.
BASKET = _svg(
    "cat",
    f'<path d="M14 20 a10 9 0 0 1 20 0" {_stroke(INK, 3)}/>'
    f'<path d="M5 20 h38 l-5 20 h-28 z M17 25 v10 M24 25 v10 M31 25 v10" {_stroke(INK, 3)}/>',
    name="basket",
)
HAND = _svg(  # a gift box: what was given (grants)
    "cat",
    f'<path d="M8 20 h32 v22 h-32 z M5 14 h38 v7 h-38 z M24 14 v28" {_stroke(INK, 3)}/>'
    f'<path d="M24 14 c-4 -10 -14 -8 -10 0 M24 14 c4 -10 14 -8 10 0" {_stroke(INK, 3)}/>',
    name="hand",
)
BUILDING = _svg(
    "cat",
    f'<path d="M5 16 L24 6 L43 16 z M6 42 h36 M8 38 h32 M12 20 v15 M20 20 v15 M28 20 v15 M36 20 v15" '
    f"{_stroke(INK, 3)}/>",
    name="building",
)
CAP = _svg(
    "cat",
    f'<path d="M3 18 L24 9 L45 18 L24 27 z M12 22 v9 q12 7 24 0 v-9 M41 19 v12" {_stroke(INK, 3)}/>',
    name="cap",
)
CART = _svg(
    "cat",
    f'<path d="M3 8 h7 l5 22 h23 l5 -15 h-31" {_stroke(INK, 3)}/>'
    f'<circle cx="18" cy="38" r="3.5" {_stroke(INK, 3)}/><circle cx="35" cy="38" r="3.5" {_stroke(INK, 3)}/>',
    name="cart",
)
PERSON = _svg(
    "cat",
    f'<circle cx="24" cy="14" r="8" {_stroke(INK, 3)}/><path d="M8 43 q16 -30 32 0 z" {_stroke(INK, 3)}/>',
    name="person",
)
RECEIPT = _svg(
    "cat",
    f'<path d="M10 4 h28 v38 l-5 -4 l-5 4 l-4 -4 l-4 4 l-5 -4 l-5 4 z M16 14 h16 M16 22 h16 M16 30 h10" '
    f"{_stroke(INK, 3)}/>",
    name="receipt",
)
INVOICE_PAID = _svg(  # an invoice with a tick: customers paying what they owed
    "cat",
    f'<path d="M9 4 h21 l9 9 v31 h-30 z M30 4 v9 h9 M15 13 h10 M15 20 h18" {_stroke(INK, 3)}/>'
    f'<path d="M15 32 l6 6 l12 -13" {_stroke(INK, 4.5)}/>',
    name="invoice-paid",
)
TRUCK = _svg(  # a delivery truck: suppliers paid
    "cat",
    f'<path d="M3 11 h26 v23 h-26 z M29 19 h9 l7 8 v7 h-16" {_stroke(INK, 3)}/>'
    f'<circle cx="12" cy="37" r="4.5" fill="#ffffff" stroke="{INK}" stroke-width="3"/>'
    f'<circle cx="36" cy="37" r="4.5" fill="#ffffff" stroke="{INK}" stroke-width="3"/>',
    name="truck",
)
BOX_MISSING = _svg(  # an open box and the outline of a pot gone from it: consigned goods missing at the end
    "cat",
    f'<path d="M5 27 h38 v16 h-38 z M5 27 l-2 -7 h14 l4 7 M43 27 l2 -7 h-14 l-4 7" {_stroke(INK, 3)}/>'
    f'<path d="M18 3 h12 M16 8 h16 v10 h-16 z" fill="none" stroke="{INK}" stroke-width="3" '
    'stroke-dasharray="4 3" stroke-linecap="butt"/>',
    name="box-missing",
)


def manifest() -> dict[str, str]:
    """The hash of every drawing's SVG source (what the shipped PNGs were rendered from)."""
    return {name: hashlib.sha256(svg.encode()).hexdigest()[:16] for name, svg in sorted(SOURCES.items())}


def build_pngs() -> list[str]:
    """Render to PNG, with Debian's chromium (on white, then opaque RGB), the drawings that are new or changed since
    the manifest was written (the others keep their shipped bytes); write the manifest; return the names rendered."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    PNG_DIR.mkdir(exist_ok=True)
    shipped = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
    current = manifest()
    names = [name for name in current if shipped.get(name) != current[name] or not (PNG_DIR / f"{name}.png").exists()]
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": PNG_PIXELS, "height": PNG_PIXELS})
        for name in names:
            sized = SOURCES[name].replace("<svg ", f'<svg width="{PNG_PIXELS}" height="{PNG_PIXELS}" ', 1)
            page.set_content(f'<html><body style="margin:0;background:#ffffff">{sized}</body></html>')
            target = PNG_DIR / f"{name}.png"
            page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": PNG_PIXELS, "height": PNG_PIXELS})
            # opaque RGB on a white tile: WeasyPrint re-encodes an alpha channel separately for every document
            Image.open(target).convert("RGB").save(target, optimize=True)
        browser.close()
    MANIFEST.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return names


if __name__ == "__main__":
    rendered = build_pngs()
    sys.stdout.write(f"{len(rendered)} of {len(SOURCES)} pictograms rendered to {PNG_DIR}: {', '.join(rendered)}\n")
