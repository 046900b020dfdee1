"""Drop the indexes django-ledger declares twice (PostgreSQL).

django-ledger 0.8.5 indexes many columns twice: once as Django creates it for a foreign key (or ``db_index``),
once again in ``Meta.indexes`` (``django_ledg_*_idx``) — 35 pairs on 0.8.5, among them the journal entries'
``entity_unit_id``, ``ledger_id`` and ``je_number``, the transactions' ``account_id`` and ``journal_entry_id``.
Identical B-trees answer the same queries; each posting paid for both (5 of the ~40 index insertions of a
three-line entry), each new book for the accounts' pairs. Only an index with an exact twin on the same table
(same columns, operator classes, options, no expression, no predicate, neither unique) is dropped, and of each pair
the ``Meta`` one, so the index that Django's schema editor manages for the key stays.

PostgreSQL only (production). On SQLite nothing changes: django-ledger's later migrations may drop a ``Meta``
index by name there without ``IF EXISTS``. Reversing recreates the ``Meta`` indexes that are missing.
"""

from typing import Any

from django.db import migrations

TWINS_SQL = r"""
SELECT t.relname, c.relname,
       concat_ws('|', i.indkey::text, i.indclass::text, i.indoption::text, i.indcollation::text)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
WHERE t.relname LIKE 'django\_ledger\_%' AND NOT i.indisunique AND NOT i.indisprimary
  AND i.indexprs IS NULL AND i.indpred IS NULL
ORDER BY t.relname, c.relname
"""


def _meta_index_names(apps: Any) -> set[str]:
    return {
        index.name
        for model in apps.get_app_config("django_ledger").get_models()
        for index in model._meta.indexes
        if index.name
    }


def drop_twins(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    declared = _meta_index_names(apps)
    groups: dict[tuple[str, str], list[str]] = {}
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TWINS_SQL)
        for table, name, signature in cursor.fetchall():
            groups.setdefault((table, signature), []).append(name)
    for names in groups.values():
        if len(names) < 2:
            continue
        keep = next((name for name in names if name not in declared), names[0])
        for name in names:
            if name != keep and name in declared:
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def recreate(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        present = {name for (name,) in cursor.fetchall()}
    for model in apps.get_app_config("django_ledger").get_models():
        for index in model._meta.indexes:
            if index.name and index.name not in present:
                schema_editor.add_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0010_fewer_indexes"),
        ("django_ledger", "0030_alter_accountmodel_role"),
    ]

    operations = [migrations.RunPython(drop_twins, recreate, elidable=False)]
