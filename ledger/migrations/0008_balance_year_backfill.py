"""Fill the yearly balance table from the monthly one (books posted before it existed)."""

from typing import Any

from django.db import migrations
from django.db.models import Sum


def backfill(apps: Any, schema_editor: Any) -> None:
    balance = apps.get_model("ledger", "Balance")
    balance_year = apps.get_model("ledger", "BalanceYear")
    rows = (
        balance.objects.values("book_id", "account_code", "year")
        .annotate(debit_sum=Sum("debit"), credit_sum=Sum("credit"))
        .order_by()
    )
    balance_year.objects.bulk_create(
        [
            balance_year(
                book_id=r["book_id"], account_code=r["account_code"], year=r["year"],
                debit=r["debit_sum"], credit=r["credit_sum"],
            )
            for r in rows.iterator()
        ],
        batch_size=5000,
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_balance_year")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
