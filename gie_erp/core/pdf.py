"""The PDF base of every printed document (statements now; invoices, settlement notes, certificates later).

WeasyPrint with the fonts shipped in ``gie_erp/core/fonts/`` under private family names, so an installed system font
of the same name can never shadow them. One ``FontConfiguration`` and the parsed stylesheets are built lazily once
per process (a forked Celery child builds its own) and reused for every document: that is what makes batch printing
fast and keeps memory flat. Any WeasyPrint warning (ignored CSS, a missing font or image) fails the render.

The one-page documents a member reads without French (the monthly statement, the settlement note) share one visual
language: the partials of ``templates/core/pdf/`` (page, header, money rows, legend, signatures) styled by
``BILINGUAL_CSS``, their wording in ``Words`` and their drawings in ``gie_erp.core.pictograms``.
"""

import atexit
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import qrcode
import qrcode.constants
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gie_erp.core.i18n import format_amount, format_signed_amount

FONT_DIR = Path(__file__).resolve().parent / "fonts"
PDF_TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "core" / "pdf"
#: the bilingual one-page documents' shared stylesheet: pass it first, the document's own stylesheet after it
BILINGUAL_CSS = PDF_TEMPLATE_DIR / "bilingual.css"

LATIN_FAMILY = "GIE Sans"
ARABIC_FAMILY = "GIE Naskh"
TIFINAGH_FAMILY = "GIE Tifinagh"


@dataclass(frozen=True, slots=True)
class FontFace:
    family: str
    file_name: str
    weight: int

    @property
    def path(self) -> Path:
        return FONT_DIR / self.file_name


#: The only fonts a document may use. Noto Naskh Arabic lacks U+202F, U+00B7 and U+2014: stacks end with GIE Sans.
FONT_FACES = (
    FontFace(LATIN_FAMILY, "NotoSans-Regular.ttf", 400),
    FontFace(LATIN_FAMILY, "NotoSans-Bold.ttf", 700),
    FontFace(ARABIC_FAMILY, "NotoNaskhArabic-Regular.ttf", 400),
    FontFace(ARABIC_FAMILY, "NotoNaskhArabic-Bold.ttf", 700),
    FontFace(TIFINAGH_FAMILY, "NotoSansTifinagh-Regular.ttf", 400),
)


def font_face_css() -> str:
    """``@font-face`` rules pointing at the shipped files (file URLs: fonts are never fetched over HTTP)."""
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.as_uri()}"); '
        f"font-weight: {face.weight}; font-style: normal; }}"
        for face in FONT_FACES
    )


BASE_CSS = f"""
{font_face_css()}
@page {{ size: A4; margin: 12mm 12mm 14mm; }}
html {{ font-family: "{LATIN_FAMILY}", "{ARABIC_FAMILY}", "{TIFINAGH_FAMILY}"; font-size: 10pt; color: #1b1b1b; }}
[lang="ar"] {{ font-family: "{ARABIC_FAMILY}", "{LATIN_FAMILY}"; }}
[lang="zgh"] {{ font-family: "{TIFINAGH_FAMILY}", "{LATIN_FAMILY}"; }}
/* no font-variant-numeric: tabular-nums: it cost ~20 % of the layout time; Noto Sans digits are tabular anyway */
.amt {{ font-family: "{LATIN_FAMILY}"; font-weight: 700; white-space: nowrap; }}
"""


@dataclass(frozen=True, slots=True)
class Words:
    """Fixed wording printed in French and Arabic (and Tamazight where given) whatever the reader's interface
    language: data reviewed as a whole, like the chart's account names, not gettext messages."""

    fr: str
    ar: str
    zgh: str = ""


class PdfRenderError(RuntimeError):
    """WeasyPrint logged a warning or an error: the document would not look as designed."""


class PageOverflow(PdfRenderError):
    """The document laid out on more pages than allowed (checked before the PDF is written)."""

    def __init__(self, pages: int, max_pages: int) -> None:
        super().__init__(f"{pages} pages, at most {max_pages} allowed")
        self.pages = pages


@dataclass(slots=True)
class _Renderer:
    """What one process reuses across documents."""

    pid: int
    font_config: object
    base_css: object
    stylesheets: dict[Path, object] = field(default_factory=dict)
    image_cache: dict[str, object] = field(default_factory=dict)  # images (pictograms) decoded once per process


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def _get_renderer() -> _Renderer:
    """The process's renderer, built on first use (and again in a forked child, which must not share it)."""
    global _renderer  # one per process by design
    renderer = _renderer
    if renderer is not None and renderer.pid == os.getpid():
        return renderer
    with _renderer_lock:
        if _renderer is None or _renderer.pid != os.getpid():
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            font_config = FontConfiguration()
            with _fail_on_warnings():
                base_css = CSS(string=BASE_CSS, font_config=font_config)
            _renderer = _Renderer(pid=os.getpid(), font_config=font_config, base_css=base_css)
        return _renderer


def _stylesheet(renderer: _Renderer, path: Path) -> object:
    """A document type's stylesheet, parsed once per process with the shared font configuration."""
    css = renderer.stylesheets.get(path)
    if css is None:
        from weasyprint import CSS

        with _fail_on_warnings():
            css = CSS(filename=str(path), font_config=renderer.font_config)
        renderer.stylesheets[path] = css
    return css


@atexit.register
def _drop_renderer() -> None:
    """Free the font configuration while its modules still exist (its ``__del__`` fails at interpreter exit)."""
    global _renderer  # one per process by design
    _renderer = None


class _ThreadRecords(logging.Handler):
    """Collects WeasyPrint records of WARNING and above emitted by the current thread only."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _fail_on_warnings() -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    if not logger.isEnabledFor(logging.WARNING):  # a quieter root level must not hide what we check
        logger.setLevel(logging.WARNING)
    handler = _ThreadRecords()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise PdfRenderError("WeasyPrint: " + " | ".join(handler.messages))


def render_pdf(
    html: str, *, base_url: str | Path, stylesheets: Sequence[Path] = (), max_pages: int | None = None
) -> bytes:
    """HTML to PDF bytes with the shipped fonts and the base CSS; raises PdfRenderError on any WeasyPrint warning.

    ``stylesheets`` are files of the document type (parsed once per process); ``base_url`` resolves relative URLs
    in the HTML to the file system, never to HTTP. With ``max_pages``, a longer layout raises PageOverflow before
    the PDF is written, so the caller can shorten the document and try again cheaply.
    """
    from weasyprint import HTML

    renderer = _get_renderer()
    sheets = [renderer.base_css, *(_stylesheet(renderer, Path(p)) for p in stylesheets)]
    with _fail_on_warnings():
        document = HTML(string=html, base_url=str(base_url)).render(
            font_config=renderer.font_config, stylesheets=sheets, cache=renderer.image_cache
        )
        if max_pages is not None and len(document.pages) > max_pages:
            raise PageOverflow(len(document.pages), max_pages)
        pdf: bytes = document.write_pdf()
    return pdf


def amount_html(amount: Decimal, *, signed: bool = False, css_class: str = "") -> SafeString:
    """An amount in a left-to-right span (so Arabic context never moves its minus sign or digit groups)."""
    text = format_signed_amount(amount) if signed else format_amount(amount)
    classes = f"amt {css_class}".strip()
    return format_html('<span class="{}" dir="ltr">{}</span>', classes, text)


def qr_svg(url: str) -> SafeString:
    """A QR code of the URL as inline SVG: one path, each run of dark modules in a row drawn as one rectangle.

    qrcode's own SVG factories draw one square per module; merging runs makes the path about 3x shorter, which
    matters because WeasyPrint parses and draws it for every statement. Sized by the stylesheet; no image library.
    """
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    commands: list[str] = []
    for y, modules in enumerate(matrix):
        x = 0
        while x < len(modules):
            if modules[x]:
                start = x
                while x < len(modules) and modules[x]:
                    x += 1
                commands.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = len(matrix)
    svg = (
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{"".join(commands)}"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - markup built here from the QR matrix of our own URL
