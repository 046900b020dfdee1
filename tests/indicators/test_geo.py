"""The region's map (gie_erp/indicators/geo.py and the outlines region_build.py made), checked by hand."""

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from gie_erp.indicators import geo
from gie_erp.indicators.region_build import clean, dissolve, douglas_peucker, signed_area2, simplify_shared

COMMUNES_CSV = Path(geo.__file__).resolve().parents[2] / "members" / "data" / "communes.csv"
#: names in communes.csv that are no HCP commune (both seem to be places of Dar Bni Karrich, 01.571.05.17): no code,
#: so no shape, until someone who knows the ground says which commune they mean
WITHOUT_CODE = {"Beni Karrich Al Foki", "Ben Karrich"}


def _by_code(level: str = "commune") -> dict[str, geo.Shape]:
    return {shape.code: shape for shape in geo.shapes(level)}


def test_the_region_has_its_146_communes_and_8_provinces() -> None:
    communes, provinces = _by_code("commune"), _by_code("province")
    assert len(communes) == 146  # HCP, RGPH 2024: 146 communes in région 01
    assert set(provinces) == {"01.051", "01.151", "01.227", "01.331", "01.405", "01.511", "01.571", "01.573"}
    assert {shape.province_code for shape in communes.values()} == set(provinces)
    assert all(code.startswith(shape.province_code + ".") for code, shape in communes.items())
    assert communes["01.511.01.0"].name_fr == "Tanger"
    assert communes["01.511.01.0"].name_ar == "طنجة"
    assert provinces["01.405"].province_code == "01.405"


def test_the_projection_puts_north_up_and_west_left() -> None:
    communes = _by_code()
    tanger, al_hoceima, ouezzane = communes["01.511.01.0"], communes["01.051.01.01"], communes["01.405.01.09"]
    assert tanger.x < al_hoceima.x  # Tanger is north-west of Al Hoceima
    assert tanger.y < al_hoceima.y
    assert ouezzane.y > max(tanger.y, al_hoceima.y)  # Ouezzane is the south of the region
    # Tanger's port (5.80° W, 35.78° N) lies west of and north of Tétouan's medina (5.37° W, 35.57° N)
    assert geo.project(-5.80, 35.78)[0] < geo.project(-5.37, 35.57)[0]
    assert geo.project(-5.80, 35.78)[1] < geo.project(-5.37, 35.57)[1]


def _points(d: str) -> list[tuple[float, float]]:
    """The vertices of an SVG path made of M, L and Z."""
    pairs = d.replace("M", "L").replace("Z", "").split("L")
    return [(float(pair.split(",")[0]), float(pair.split(",")[1])) for pair in pairs if pair]


def test_every_shape_fits_the_viewbox() -> None:
    width, height = geo.VIEWBOX
    for level in geo.LEVELS:
        for shape in geo.shapes(level):
            xs, ys = zip(*_points(shape.d), strict=True)
            assert min(xs) >= 0, shape.code
            assert max(xs) <= width, shape.code
            assert min(ys) >= 0, shape.code
            assert max(ys) <= height, shape.code
            assert shape.d.startswith("M")
            assert shape.d.endswith("Z")
            assert min(xs) <= shape.x <= max(xs), shape.code
            assert min(ys) <= shape.y <= max(ys), shape.code
    # the region is wider than high at 1000 × 800: it touches the margin left and right
    all_x = [x for shape in geo.shapes() for x, _ in _points(shape.d)]
    assert min(all_x) == pytest.approx(geo.MARGIN, abs=0.1)
    assert max(all_x) == pytest.approx(width - geo.MARGIN, abs=0.1)


def test_the_largest_come_first_so_an_enclosed_commune_is_drawn_on_top() -> None:
    order = [shape.code for shape in geo.shapes()]
    assert order.index("01.405.11.11") < order.index("01.405.01.09")  # rural Zoumi before the town of Ouezzane
    assert len(geo.shapes("province")) == 8


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        geo.shapes("region")


def test_every_commune_of_communes_csv_has_a_shape_or_is_listed_without_code() -> None:
    with COMMUNES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    communes = _by_code()
    assert {row["commune_fr"] for row in rows if not row["commune_code"]} == WITHOUT_CODE
    for row in rows:
        if row["commune_code"]:
            shape = communes[row["commune_code"]]
            assert shape.province_code == row["province_official_code"], row
            assert row["population_2014"].isdigit(), row
            assert row["population_2024"].isdigit(), row
    matched = [row for row in rows if row["commune_code"]]
    assert len(matched) == 47
    assert len({row["commune_code"] for row in matched}) == 47  # one code, one commune
    tanger = next(row for row in rows if row["commune_fr"] == "Tanger")
    assert (tanger["commune_code"], tanger["population_2014"], tanger["population_2024"]) == (
        "01.511.01.0",
        "947952",
        "1275428",
    )


def test_the_file_is_compact_and_keyed_by_code() -> None:
    assert geo.DATA.stat().st_size < 300_000
    features = json.loads(geo.DATA.read_text(encoding="utf-8"))["features"]
    codes = [feature["properties"]["code"] for feature in features]
    assert len(codes) == len(set(codes)) == 146 + 8
    for feature in features:
        for polygon in feature["geometry"]["coordinates"]:
            ring = polygon[0]
            assert ring[0] == ring[-1]  # closed, as GeoJSON wants
            assert all(round(value, 4) == value for point in ring for value in point)


# --- classes --------------------------------------------------------------------------------------------------------


def test_five_figures_in_five_classes() -> None:
    values = {"a": 10, "b": 20, "c": 30, "d": 40, "e": 50}
    assert geo.classes(values) == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}


def test_ten_figures_two_a_class_with_zero_and_ties() -> None:
    values: dict[str, int | Decimal] = {str(n): n for n in range(1, 11)}
    values |= {"zero": 0, "tie": 10, "money": Decimal("0.50")}
    # 12 positive figures: 0.50, 1, 2, …, 9, 10, 10. Class = 1 + 5 × (figures below) // 12
    assert geo.classes(values) == {
        "money": 1,  # 0 below
        "1": 1,  # 1 below: 1 + 5 // 12
        "2": 1,  # 2 below: 1 + 10 // 12
        "3": 2,  # 3 below: 1 + 15 // 12
        "4": 2,
        "5": 3,  # 5 below: 1 + 25 // 12
        "6": 3,
        "7": 3,  # 7 below: 1 + 35 // 12
        "8": 4,  # 8 below: 1 + 40 // 12
        "9": 4,
        "10": 5,  # 10 below: 1 + 50 // 12
        "tie": 5,  # equal figures share a class
        "zero": 0,
    }


def test_few_figures_spread_over_the_scale_and_none_is_empty() -> None:
    assert geo.classes({"a": 5, "b": 7, "c": 9}) == {"a": 1, "b": 2, "c": 4}
    assert geo.classes({"a": 0, "b": -3}) == {"a": 0, "b": 0}
    assert geo.classes({}) == {}
    assert geo.classes({"a": 1, "b": 2}, n=1) == {"a": 1, "b": 1}
    with pytest.raises(ValueError, match="at least 1"):
        geo.classes({"a": 1}, n=0)


def test_the_legend_gives_each_class_its_range() -> None:
    values = {"a": 10, "b": 20, "c": 30, "d": 40, "e": 0}
    assert geo.legend(values, n=2) == [(1, 10, 20), (2, 30, 40)]


# --- the build's geometry ------------------------------------------------------------------------------------------


def test_douglas_peucker_keeps_what_sticks_out() -> None:
    line = [(0, 0), (10, 1), (20, 0), (30, 10), (40, 0)]
    # chord (0,0)–(40,0): (30, 10) is 10 away, kept. Chord (0,0)–(30,10), the line x = 3y: (20, 0) is 20/√10 ≈ 6.3
    # away, kept; (10, 1) is 7/√10 ≈ 2.2. Chord (0,0)–(20,0): (10, 1) is 1 away, dropped.
    assert douglas_peucker(line, tolerance=5) == [(0, 0), (20, 0), (30, 10), (40, 0)]
    assert douglas_peucker(line, tolerance=7) == [(0, 0), (30, 10), (40, 0)]  # 6.3 < 7: (20, 0) goes too
    assert douglas_peucker(line, tolerance=0) == line
    assert douglas_peucker(line[::-1], tolerance=5) == [(40, 0), (30, 10), (20, 0), (0, 0)]  # the same backwards


def test_a_shared_border_is_simplified_the_same_on_both_sides_and_dissolves() -> None:
    """Two unit squares side by side (scaled by 10) sharing a wobbly border x = 10."""
    border = [(10, 0), (10, 3), (11, 5), (10, 7), (10, 10)]
    left = clean([(0, 0), *border, (0, 10)])
    right = clean([(20, 0), (20, 10), *border[::-1]])
    assert signed_area2(left) > 0  # both made counter-clockwise
    assert signed_area2(right) > 0
    simple_left, simple_right = simplify_shared([left, right], tolerance=2)
    assert (11, 5) not in simple_left  # the wobble went, on both sides
    assert (11, 5) not in simple_right
    (outline,) = dissolve([simple_left, simple_right])
    assert set(outline) == {(0, 0), (10, 0), (20, 0), (20, 10), (10, 10), (0, 10)}
    assert signed_area2(outline) == 2 * 200


def test_dissolve_drops_a_ring_drawn_inside_another() -> None:
    outer = clean([(0, 0), (10, 0), (10, 10), (0, 10)])
    inner = clean([(2, 2), (4, 2), (4, 4), (2, 4)])
    assert dissolve([outer, inner]) == [outer]


def test_a_commune_is_urban_exactly_when_hcp_numbers_it_in_cercle_01() -> None:
    """HCP's code ``<region>.<province>.<cercle>.<commune>`` puts the municipalities in cercle 01 (Oued Laou and
    Tétouan 01.571.01.xx) and the rural communes in the others. Regression: Allyine (01.573.01.07), a municipality of
    M'diq-Fnideq, was listed rural."""
    with COMMUNES_CSV.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["commune_code"]]
    wrong = [
        row["commune_fr"] for row in rows if (row["commune_code"].split(".")[2] == "01") == (row["is_rural"] == "1")
    ]
    assert wrong == []
    allyine = next(row for row in rows if row["commune_fr"] == "Allyine")
    assert (allyine["commune_code"], allyine["is_rural"]) == ("01.573.01.07", "0")
