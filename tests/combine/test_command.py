"""``python manage.py combined_accounts``: the CSV of the hand-computed month (``test_month.py``), the differences on
stderr, and every wrong argument said in words with a non-zero exit and nothing written."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ledger.books import book_ensure
from tests.combine.conftest import month  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("combined_accounts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_csv_of_the_month(month: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "combined.csv"
    out, err = run("--from", "2026-11-01", "--to", "2026-11-30", "--csv", str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["account_code", "account_name", "sum_of_books", "eliminations", "combined"]
    figures = {row[0]: row[2:] for row in rows[1:]}
    assert figures == {
        "3463": ["996.00", "-996.00", "0.00"], "34512": ["420.00", "0.00", "420.00"],
        "34552": ["22.40", "0.00", "22.40"], "34554": ["42.00", "0.00", "42.00"], "3488": ["80.00", "-80.00", "0.00"],
        "44551": ["-166.00", "0.00", "-166.00"], "4455": ["-54.60", "0.00", "-54.60"],
        "4463": ["-80.00", "80.00", "0.00"], "4488": ["-996.00", "996.00", "0.00"],
        "5115": ["450.00", "0.00", "450.00"],
        "5141": ["-30.00", "0.00", "-30.00"], "5161": ["360.00", "0.00", "360.00"],
        "6136": ["1139.20", "-1003.00", "136.20"], "6146": ["30.00", "0.00", "30.00"],
        "7121": ["-790.00", "0.00", "-790.00"], "7124": ["-930.00", "930.00", "0.00"],
        "71272": ["-73.00", "73.00", "0.00"], "7161": ["-420.00", "0.00", "-420.00"],
    }  # fmt: skip
    assert [row[0] for row in rows[1:]] == sorted(figures)
    assert rows[1][1]  # the chart's name of 3463
    assert "18 accounts of 4 books from 2026-11-01 to 2026-11-30" in out
    assert "7 pairs eliminated, 1 differences, 0 flows outside the set" in out
    assert err.strip() == (
        "difference gie-accessory-sales: gie - 0.00 / coop-tapis 6146 30.00 = 30.00 "
        "(Pièce comptabilisée d'un seul côté)"
    )
    # a set and the GIE left out: coop-tapis alone; its flows towards the GIE are outside the set
    run("--from", "2026-11-01", "--to", "2026-11-30", "--csv", str(path), "--books", "coop-tapis", "--exclude-gie")
    with path.open(encoding="utf-8", newline="") as handle:
        alone = {row[0]: row[2:] for row in list(csv.reader(handle))[1:]}
    assert alone["4488"] == ["-120.00", "0.00", "-120.00"]
    assert alone["6146"] == ["30.00", "0.00", "30.00"]


@pytest.mark.parametrize(
    ("changed", "extra", "message"),
    [
        ({"--from": "2026-13-01"}, [], "--from '2026-13-01': not a date, write YYYY-MM-DD"),
        ({"--to": "0001-01-01"}, [], "--to 0001-01-01: outside the dates the books accept"),
        ({"--from": "2026-11-30", "--to": "2026-11-01"}, [], "La période finit (01/11/2026) avant de commencer"),
        ({}, ["--books", "sector:fleurs"], "« sector:fleurs ». Écrivez all, women, sector:CODE (agriculture, argan"),
        ({}, ["--books", "coop-x,coop-y"], "Ensemble de livres inconnu : « coop-x, coop-y »"),
        ({}, ["--books", "women", "--exclude-gie"], "Aucun livre dans cet ensemble : women."),
        ({"--csv": "/no/such/out.csv"}, [], "--csv /no/such/out.csv: the folder /no/such does not exist"),
    ],
)  # fmt: skip
def test_wrong_arguments_are_said_and_nothing_is_written(
    gie: Any, tmp_path: Path, changed: dict[str, str], extra: list[str], message: str
) -> None:
    book_ensure(organization=gie)
    options = {"--from": "2026-11-01", "--to": "2026-11-30", "--csv": str(tmp_path / "out.csv"), **changed}
    with pytest.raises(CommandError) as raised:
        run(*(item for pair in options.items() for item in pair), *extra)
    assert message in str(raised.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file


def test_a_missing_option_fails(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="the following arguments are required: --to"):
        run("--from", "2026-11-01", "--csv", str(tmp_path / "x.csv"))
