"""Moroccan VAT rates and exemption regimes (DOMAIN.md), valid from 2024-01-01 until a finance law changes them."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import migrations

RATES = [
    ("normal-20", "TVA 20 % (taux normal)", "الضريبة على القيمة المضافة 20٪ (السعر العادي)", "taxable", "0.2000", "CGI art. 98"),
    ("reduit-14", "TVA 14 %", "الضريبة على القيمة المضافة 14٪", "taxable", "0.1400", "CGI art. 99-2°"),
    ("reduit-10", "TVA 10 %", "الضريبة على القيمة المضافة 10٪", "taxable", "0.1000", "CGI art. 99-1°"),
    ("reduit-7", "TVA 7 %", "الضريبة على القيمة المضافة 7٪", "taxable", "0.0700", "CGI art. 99"),
    ("exonere-91", "Exonéré (art. 91)", "معفى (المادة 91)", "exempt", "0.0000",
     "CGI art. 91 — exonération sans droit à déduction"),
    ("exonere-92", "Exonéré avec droit à déduction (art. 92)", "معفى مع حق الخصم (المادة 92)", "exempt_deduction",
     "0.0000", "CGI art. 92"),
    ("suspension-94", "En suspension (art. 94)", "في وقف الاستيفاء (المادة 94)", "suspended", "0.0000", "CGI art. 94"),
]


def load(apps: Any, schema_editor: Any) -> None:
    vat = apps.get_model("invoices", "VatRate")
    for code, fr, ar, kind, rate, reference in RATES:
        vat.objects.get_or_create(
            code=code,
            valid_from=date(2024, 1, 1),
            defaults={"label_fr": fr, "label_ar": ar, "kind": kind, "rate": Decimal(rate), "legal_reference": reference},
        )


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
