"""VAT table after the 2024–2026 reform: from 2026 two rates remain, 20 % and 10 % (DGI, note circulaire n° 737 on
the finance law 2026 n° 50-25, published 27 Feb 2026, as reported by fr-infos.com, "Loi de finances 2026 : toutes
les mesures fiscales décryptées par la DGI": a secondary source, see docs/invoices.md). The 14 % and 7 % rates end
on 31 Dec 2025 and stay in the table for back-dated documents. The intermediate rates of 2024–2025 are not in any
source we hold: none is invented here."""

from datetime import date
from typing import Any

from django.db import migrations

SOURCE = (
    "DGI, note circulaire n° 737 (LF 2026 n° 50-25), publiée le 27/02/2026, rapportée par fr-infos.com "
    "(source secondaire)"
)
ENDED = {"reduit-14": date(2025, 12, 31), "reduit-7": date(2025, 12, 31)}
CONFIRMED = ("normal-20", "reduit-10")


def apply(apps: Any, schema_editor: Any) -> None:
    vat = apps.get_model("invoices", "VatRate")
    for code, last_day in ENDED.items():
        vat.objects.filter(code=code, valid_to__isnull=True).update(
            valid_to=last_day, source=SOURCE, source_date=date(2026, 2, 27)
        )
    vat.objects.filter(code__in=CONFIRMED, source="").update(source=SOURCE, source_date=date(2026, 2, 27))
    vat.objects.filter(source="").update(source="DOMAIN.md (CGI art. 91, 92, 94, 98, 99)")


def revert(apps: Any, schema_editor: Any) -> None:
    vat = apps.get_model("invoices", "VatRate")
    vat.objects.filter(code__in=list(ENDED)).update(valid_to=None)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_documents")]
    operations = [migrations.RunPython(apply, revert)]
