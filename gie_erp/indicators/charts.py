"""Server-rendered charts (pure: no ORM, no request): the geometry of a bar chart, drawn as SVG by the template.

No charting library and no CDN: a chart is a list of bars, each with its length as a share of the longest (0–100)
and its figure; the template draws them with ``<rect>`` elements and writes the figure next to each bar, so the chart
reads the same right to left (the SVG is mirrored by CSS in Arabic, its text is not) and prints as it shows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal | int
    length: Decimal  # 0..100: the bar's length as a share of the longest
    previous: Decimal | int | None = None  # the same figure a year earlier, when the chart compares
    previous_length: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: tuple[Bar, ...]
    compares: bool  # a second, lighter bar per row for the previous year

    @property
    def height(self) -> int:
        """The SVG's height in its own units: a row of 28 per bar (34 when it compares)."""
        return max(len(self.bars), 1) * (34 if self.compares else 28)

    @property
    def row(self) -> int:
        return 34 if self.compares else 28


def _length(value: Decimal | int, longest: Decimal) -> Decimal:
    if longest <= 0 or value <= 0:
        return Decimal(0)
    return (Decimal(value) * HUNDRED / longest).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def bar_chart(
    items: Sequence[tuple[str, Decimal | int]], previous: Sequence[Decimal | int | None] | None = None
) -> BarChart:
    """Bars for (label, value) pairs, in their order; ``previous`` (one per item) adds last year's bar. Negative
    figures draw no bar (their figure is still written)."""
    values = [Decimal(value) for _label, value in items]
    values += [Decimal(value) for value in previous or () if value is not None]
    longest = max([v for v in values if v > 0], default=Decimal(0))
    bars = []
    for index, (label, value) in enumerate(items):
        before = previous[index] if previous is not None else None
        bars.append(
            Bar(
                label,
                value,
                _length(value, longest),
                before,
                _length(before, longest) if before is not None else Decimal(0),
            )
        )
    return BarChart(tuple(bars), compares=previous is not None)


def change(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """The change from last year in percent, one decimal; None when last year was zero."""
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * HUNDRED / abs(Decimal(previous))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
