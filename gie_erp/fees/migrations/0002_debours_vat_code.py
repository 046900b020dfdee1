"""The VAT code of a pool of débours: costs paid in a member's name and re-billed at cost, outside the taxable base."""

from datetime import date

from django.db import migrations


def add(apps, schema_editor):
    vat = apps.get_model("invoices", "VatRate")
    vat.objects.get_or_create(
        code="debours",
        valid_from=date(2000, 1, 1),
        defaults={
            "label_fr": "Débours (hors base imposable)",
            "label_ar": "مصاريف مؤداة نيابة (خارج الوعاء الضريبي)",
            "kind": "exempt",
            "rate": "0.0000",
            "legal_reference": "Débours refacturés au coût, payés au nom et pour le compte du membre",
            "source": "gie_erp: débours (DESIGN §6, cost-shared fees); reference to confirm with the DGI",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("invoices", "VatRate").objects.filter(code="debours").delete()


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial"), ("invoices", "0008_document_analytic_tag")]
    operations = [migrations.RunPython(add, remove)]
