"""Period locks cover analytic lines like partner lines (PostgreSQL): an insert, update or delete of a tag whose
transaction's entry is dated in a locked month of its book is refused. The function is 0012's, built for this table
from the same query (an analytic line, like a partner line, names its transaction by ``tx_id``)."""

from importlib import import_module
from typing import Any

from django.db import migrations

COVERAGE = import_module("ledger.migrations.0012_period_lock_coverage")
TABLE = "ledger_analyticline"
FUNCTION = "gie_lock_check_analytic"


def create_sql() -> str:
    _table, periods_sql = COVERAGE.ROW_PERIODS["partner"]
    triggers = [
        f"CREATE TRIGGER gie_lock_analytic_{COVERAGE.SUFFIX[op]} AFTER {op} ON {TABLE} {COVERAGE.REFERENCING[op]} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();"
        for op in COVERAGE.ROWS
    ]
    return "\n".join([COVERAGE._row_check_function("analytic", periods_sql), *triggers])


def drop_sql() -> str:
    drops = [f"DROP TRIGGER IF EXISTS gie_lock_analytic_{suffix} ON {TABLE};" for suffix in COVERAGE.SUFFIX.values()]
    return "\n".join([*drops, f"DROP FUNCTION IF EXISTS {FUNCTION}();"])


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(create_sql(), params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(drop_sql(), params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0015_analytic_line")]
    operations = [migrations.RunPython(forwards, backwards)]
