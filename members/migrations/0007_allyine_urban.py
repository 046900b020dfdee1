"""Allyine (01.573.01.07) is a municipality of M'diq-Fnideq (HCP's cercle 01: the urban communes), not a rural
commune: members/data/communes.csv said rural. 0002 reads the corrected file on a new database; this corrects the
rows of databases made before."""

from typing import Any

from django.db import migrations


def urban(apps: Any, schema_editor: Any) -> None:
    apps.get_model("members", "Commune").objects.filter(code="01.573.01.07").update(is_rural=False)


def rural(apps: Any, schema_editor: Any) -> None:
    apps.get_model("members", "Commune").objects.filter(code="01.573.01.07").update(is_rural=True)


class Migration(migrations.Migration):
    dependencies = [("members", "0006_commune_official_code")]

    operations = [migrations.RunPython(urban, rural)]
