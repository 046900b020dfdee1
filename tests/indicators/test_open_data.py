"""The open figures for the observatory: files, schema, and small cells withheld (worked by hand)."""

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gie_erp.indicators.disclosure import TOTAL
from gie_erp.indicators.open_data import cooperators_by_sector
from gie_erp.indicators.selectors import Filters
from members.models import Cooperator, Organization
from tests.factories.members import CooperatorFactory, OrganizationFactory

AGRICULTURE, HANDICRAFT = Organization.Sector.AGRICULTURE, Organization.Sector.HANDICRAFT


@pytest.fixture
def region(db: Any) -> list[Any]:
    """Six cooperatives, members since 2020, each with 5 women and 2 men: four in agriculture, two in handicraft."""
    made = []
    for n, sector in enumerate([AGRICULTURE] * 4 + [HANDICRAFT] * 2):
        organization = OrganizationFactory(slug=f"m{n}", sector=sector, joined_on=date(2020, 1, 1))
        for gender, count in ((Cooperator.Gender.FEMALE, 5), (Cooperator.Gender.MALE, 2)):
            for i in range(count):
                CooperatorFactory(organization=organization, gender=gender, last_name_fr=f"Secret{n}{gender}{i}")
        made.append(organization)
    return made


def test_cooperators_by_sector_and_gender_are_published_where_safe(region: list[Organization]) -> None:
    """Agriculture: 20 women and 8 men in 4 cooperatives; handicraft: 10 and 4 in only 2 cooperatives (withheld,
    its total 14 with it). Columns f and m would give handicraft away (30 − 20, 12 − 8): agriculture's cells go
    too, and the column of totals (42 − 14) takes agriculture's 28. The region's 30 women, 12 men, 42 remain."""
    indicator = cooperators_by_sector(Filters(date(2026, 1, 1), date(2026, 12, 31)))
    status = {(r["sector"], r["gender"]): (r["value"], r["status"]) for r in indicator.records()}
    assert status == {
        (AGRICULTURE, "f"): ("", "suppressed-complementary"),
        (AGRICULTURE, "m"): ("", "suppressed-complementary"),
        (AGRICULTURE, TOTAL): ("", "suppressed-complementary"),
        (HANDICRAFT, "f"): ("", "suppressed-primary"),
        (HANDICRAFT, "m"): ("", "suppressed-primary"),
        (HANDICRAFT, TOTAL): ("", "suppressed-primary"),
        (TOTAL, "f"): ("30", ""),
        (TOTAL, "m"): ("12", ""),
        (TOTAL, TOTAL): ("42", ""),
    }
    assert indicator.value(TOTAL, "f") == 30
    assert indicator.value(HANDICRAFT, "f") is None


def test_the_export_writes_every_indicator_with_its_schema_and_no_one_s_name(
    region: list[Organization], tmp_path: Path
) -> None:
    out = tmp_path / "oress-2026"
    call_command("indicators_export", "--year", "2026", "--out", str(out))
    names = sorted(path.name for path in out.iterdir())
    ids = [
        "cooperators_by_sector_gender", "fees_by_sector", "members_by_sector", "sales_by_sector_quarter",
        "training_hours_by_gender", "training_participants_by_age_gender",
    ]  # fmt: skip
    assert names == sorted([*(f"{i}.{ext}" for i in ids for ext in ("csv", "json")), "datapackage.json",
                            "summary-2026.pdf"])  # fmt: skip
    with (out / "cooperators_by_sector_gender.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["sector", "gender", "value", "unit", "status"]
    assert {"sector": "*", "gender": "*", "value": "42", "unit": "people", "status": ""} in rows
    document = json.loads((out / "cooperators_by_sector_gender.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == "1.0"
    assert document["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert document["licence"]["name"] == "etalab-2.0"
    assert document["title"]["ar"]
    assert document["records"] == rows
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [resource["path"] for resource in package["resources"]] == [f"{i}.csv" for i in [
        "members_by_sector", "cooperators_by_sector_gender", "sales_by_sector_quarter", "fees_by_sector",
        "training_participants_by_age_gender", "training_hours_by_gender"]]  # fmt: skip
    members = json.loads((out / "members_by_sector.json").read_text(encoding="utf-8"))
    assert {"sector": "*", "kind": "*", "value": "6", "unit": "cooperatives", "status": ""} in members["records"]
    assert (out / "summary-2026.pdf").read_bytes().startswith(b"%PDF")
    text = "".join(path.read_text(encoding="utf-8") for path in out.iterdir() if path.suffix in (".csv", ".json"))
    assert "Secret" not in text
    assert not any(organization.legal_name_fr in text or organization.slug in text for organization in region)


def test_bad_arguments_are_said_and_nothing_is_written(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="outside the years"):
        call_command("indicators_export", "--year", "1899", "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("indicators_export", "--year", "2026", "--out", str(tmp_path / "missing" / "x"))
    (tmp_path / "file").write_text("")
    with pytest.raises(CommandError, match="not a folder"):
        call_command("indicators_export", "--year", "2026", "--out", str(tmp_path / "file"))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file"]
