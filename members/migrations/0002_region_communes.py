"""Loads the provinces and communes of the Tanger-Tétouan-Al Hoceima region (members/data/communes.csv)."""

import csv
from pathlib import Path
from typing import Any

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "communes.csv"


def load(apps: Any, schema_editor: Any) -> None:
    province_model = apps.get_model("members", "Province")
    commune_model = apps.get_model("members", "Commune")
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            province, _ = province_model.objects.get_or_create(
                code=row["province_code"], defaults={"name_fr": row["province_fr"], "name_ar": row["province_ar"]}
            )
            commune_model.objects.get_or_create(
                province=province,
                name_fr=row["commune_fr"],
                defaults={"name_ar": row["commune_ar"], "is_rural": row["is_rural"] == "1"},
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
