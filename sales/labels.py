"""Price labels: an A4 sheet of 21 self-adhesive labels (3 × 7, 70 × 42.3 mm) per page, on the shared PDF base.

Each label carries the product's name in French and in Arabic, its price TTC in big figures, the unit, the member,
and the scan code twice: as a QR code (what the till's camera reads) and as its 13 digits; optionally as EAN-13
bars too, drawn here as SVG (``ean13_modules``: the GS1 encoding, no library), for a shop's laser scanner.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gie_erp.core.i18n import CURRENCY_LABEL, format_amount
from gie_erp.core.pdf import qr_svg, render_pdf
from sales.models import Product

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "sales" / "catalogue"
LABELS_CSS = TEMPLATE_DIR / "labels.css"
PER_PAGE = 21
MAX_LABELS = 50 * PER_PAGE  # a print run, not a catalogue dump: 50 sheets at most per PDF

#: The unit printed on a label, in both languages whatever the page's language.
UNIT_WORDS = {
    Product.Unit.PIECE: ("pièce", "قطعة"),
    Product.Unit.KG: ("kg", "كلغ"),
    Product.Unit.LITRE: ("litre", "لتر"),
    Product.Unit.BOX: ("boîte", "علبة"),
    Product.Unit.POT: ("pot", "برطمان"),
}

# EAN-13 (GS1 General Specifications §5.2.1.2): left digits in set A (L) or B (G) by the parity pattern the first
# digit selects, right digits in set C (R); guards 101, 01010, 101; 95 modules.
_SET_A = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_SET_C = tuple("".join("1" if bit == "0" else "0" for bit in code) for code in _SET_A)
_SET_B = tuple(code[::-1] for code in _SET_C)
_PARITY = ("AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA")
QUIET = 9  # modules of white before the bars (GS1 asks 11 left, 7 right; the label's padding adds the rest)


def ean13_modules(code: str) -> str:
    """The 95 modules of an EAN-13 ("1" a dark module), from its 13 digits (check digit included)."""
    if len(code) != 13 or not code.isdigit():
        raise ValueError(f"an EAN-13 has 13 digits: {code!r}")
    digits = [int(ch) for ch in code]
    left = "".join(
        (_SET_A if parity == "A" else _SET_B)[digit]
        for parity, digit in zip(_PARITY[digits[0]], digits[1:7], strict=True)
    )
    right = "".join(_SET_C[digit] for digit in digits[7:])
    return f"101{left}01010{right}101"


def ean13_svg(code: str) -> SafeString:
    """EAN-13 bars as inline SVG, one path, guard bars longer than the others; sized by the stylesheet."""
    modules = ean13_modules(code)
    guards = {*range(3), *range(45, 50), *range(92, 95)}
    commands = []
    x = 0
    while x < len(modules):
        if modules[x] == "1":
            start = x
            while x < len(modules) and modules[x] == "1":
                x += 1
            height = 50 if start in guards else 44
            commands.append(f"M{start + QUIET} 0h{x - start}v{height}h-{x - start}z")
        else:
            x += 1
    width = 95 + 2 * QUIET
    svg = (
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 50" preserveAspectRatio="none">'
        f'<rect width="{width}" height="50" fill="#fff"/><path fill="#000" d="{"".join(commands)}"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - markup built here from digits only


@dataclass(frozen=True, slots=True)
class Label:
    product: Product
    price: SafeString
    unit_fr: str
    unit_ar: str
    qr: SafeString
    bars: SafeString | None


def _label(product: Product, *, bars: bool) -> Label:
    unit_fr, unit_ar = UNIT_WORDS.get(Product.Unit(product.unit), (product.unit, ""))
    price = format_html('<span class="amt" dir="ltr">{}</span>', format_amount(product.price))
    return Label(
        product=product,
        price=price,
        unit_fr=unit_fr,
        unit_ar=unit_ar,
        qr=qr_svg(product.scan_code),
        bars=ean13_svg(product.scan_code) if bars else None,
    )


def labels_html(products: Sequence[Product], *, copies: int = 1, bars: bool = False) -> str:
    """The sheets' HTML: each product ``copies`` times, in order, 21 to a page."""
    if copies < 1 or len(products) * copies > MAX_LABELS:
        raise ValueError(f"between 1 and {MAX_LABELS} labels per PDF")
    labels = []
    for product in products:
        label = _label(product, bars=bars)
        labels.extend([label] * copies)
    pages = [labels[start : start + PER_PAGE] for start in range(0, len(labels), PER_PAGE)]
    rows = [[page[start : start + 3] for start in range(0, len(page), 3)] for page in pages]
    return render_to_string(
        "sales/catalogue/labels.html",
        {"pages": rows, "currency_fr": CURRENCY_LABEL["fr"], "currency_ar": CURRENCY_LABEL["ar"], "bars": bars},
    )


def labels_pdf(products: Sequence[Product], *, copies: int = 1, bars: bool = False) -> bytes:
    """A4 sheets of price labels (products with their member selected: ``select_related("organization")``)."""
    html = labels_html(products, copies=copies, bars=bars)
    return render_pdf(html, base_url=TEMPLATE_DIR, stylesheets=[LABELS_CSS])
