"""Inline SVG pictograms of the statement: vector, no text inside (WeasyPrint draws SVG text poorly), thick strokes
that survive a black-and-white photocopy. The arrows carry the meaning by shape, the colours only repeat it."""

from django.utils.safestring import SafeString, mark_safe

from gie_erp.statements.mapping import Icon

GREEN = "#1b7a3a"
RED = "#b8322a"
GOLD = "#c8960c"
GREY = "#555555"
INK = "#3a3a3a"

_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" class="pict {cls}">{body}</svg>'
_STROKE = 'fill="none" stroke="{color}" stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"'


def _svg(cls: str, body: str) -> SafeString:
    return mark_safe(_SVG.format(cls=cls, body=body))  # noqa: S308 - constant markup written here, no input


def _stroke(color: str, width: float = 4) -> str:
    return _STROKE.format(color=color, width=width)


_TRAY = "M6 28 v12 h36 v-12"
_COIN_STACK = "".join(
    f'<path d="M8 {y} v6 a16 6 0 0 0 32 0 v-6" fill="{GOLD}" stroke="#7a5a00" stroke-width="2"/>'
    f'<ellipse cx="24" cy="{y}" rx="16" ry="6" fill="#f1c232" stroke="#7a5a00" stroke-width="2"/>'
    for y in (34, 25, 16)
)

#: The direction of money: into the tray (received), out of the tray (paid or owed), coins (balance), ⇄ (transfer).
ARROW_IN = _svg(
    "in", f'<path d="{_TRAY}" {_stroke(GREEN, 5)}/><path d="M24 4 v26 M14 20 l10 10 l10 -10" {_stroke(GREEN, 5)}/>'
)
ARROW_OUT = _svg(
    "out", f'<path d="{_TRAY}" {_stroke(RED, 5)}/><path d="M24 32 v-28 M14 14 l10 -10 l10 10" {_stroke(RED, 5)}/>'
)
COINS = _svg("balance", _COIN_STACK)
EXCHANGE = _svg("transfer", f'<path d="M6 16 h34 M32 8 l8 8 l-8 8 M42 32 h-34 M16 24 l-8 8 l8 8" {_stroke(GREY, 4)}/>')

CATEGORY = {
    Icon.BASKET: _svg(
        "cat",
        f'<path d="M14 20 a10 9 0 0 1 20 0" {_stroke(INK, 3)}/>'
        f'<path d="M5 20 h38 l-5 20 h-28 z M17 25 v10 M24 25 v10 M31 25 v10" {_stroke(INK, 3)}/>',
    ),
    Icon.HAND: _svg(
        "cat",
        f'<path d="M8 20 h32 v22 h-32 z M5 14 h38 v7 h-38 z M24 14 v28" {_stroke(INK, 3)}/>'
        f'<path d="M24 14 c-4 -10 -14 -8 -10 0 M24 14 c4 -10 14 -8 10 0" {_stroke(INK, 3)}/>',
    ),
    Icon.COINS: COINS,
    Icon.BUILDING: _svg(
        "cat",
        f'<path d="M5 16 L24 6 L43 16 z M6 42 h36 M8 38 h32 M12 20 v15 M20 20 v15 M28 20 v15 M36 20 v15" '
        f"{_stroke(INK, 3)}/>",
    ),
    Icon.CAP: _svg(
        "cat",
        f'<path d="M3 18 L24 9 L45 18 L24 27 z M12 22 v9 q12 7 24 0 v-9 M41 19 v12" {_stroke(INK, 3)}/>',
    ),
    Icon.CART: _svg(
        "cat",
        f'<path d="M3 8 h7 l5 22 h23 l5 -15 h-31" {_stroke(INK, 3)}/>'
        f'<circle cx="18" cy="38" r="3.5" {_stroke(INK, 3)}/><circle cx="35" cy="38" r="3.5" {_stroke(INK, 3)}/>',
    ),
    Icon.PERSON: _svg(
        "cat", f'<circle cx="24" cy="14" r="8" {_stroke(INK, 3)}/><path d="M8 43 q16 -30 32 0 z" {_stroke(INK, 3)}/>'
    ),
    Icon.RECEIPT: _svg(
        "cat",
        f'<path d="M10 4 h28 v38 l-5 -4 l-5 4 l-4 -4 l-4 4 l-5 -4 l-5 4 z M16 14 h16 M16 22 h16 M16 30 h10" '
        f"{_stroke(INK, 3)}/>",
    ),
    Icon.EXCHANGE: EXCHANGE,
}
