"""A locked month refuses every change to what it holds, on every table, and only `period_unlock` reopens it.

0002/0009 covered inserts and updates of journal entries, transactions and our entries (deletes only for the first
two): a raw ``DELETE FROM ledger_entry`` of an entry in a locked month, or any write to the balance tables, the
partner lines or the lock rows themselves, went through (``ledger_verify`` found it later). On PostgreSQL, one
statement-level trigger per table and event (transition tables: one query per statement, whatever its row count):

- ``django_ledger_journalentrymodel``, ``django_ledger_transactionmodel``, ``ledger_entry``,
  ``ledger_partnerline``, ``ledger_balance``: INSERT, UPDATE (old and new rows) and DELETE of a row dated in a
  locked month of its book are refused. The month is the entry's local date (Africa/Casablanca) for journal entries,
  their transactions and partner lines (a partner line's month is its transaction's entry's), ``posted_on`` for
  ours, ``(year, month)`` for the monthly balance.
- ``ledger_balanceyear``, the yearly fold: the posting engine upserts it for every posting, also into an open month
  of a year whose earlier months are locked, and a row cannot tell which months its amounts came from. Checking it
  against the monthly table (``yearly = Σ monthly``) would sum every partner's row of the account (the GIE's
  intercompany accounts: one per member and month) on each posting. So the trigger refuses, in a year with a locked
  month of the book, what the engine never does: deleting a row, moving it (book, account or year changed), or
  lowering its debit or credit (postings only add: a reversal adds to the other side). Inserts and increases stay
  open (a forged increase is found by ``ledger_verify``, which recomputes the fold from the transactions).
- ``ledger_periodlock``: deleting or updating a lock row is unlocking; refused unless the transaction first ran
  ``set_config('gie.period_unlock', '<book_id>-<year>-<month>', true)`` for that very row, which only
  ``ledger.services.period_unlock`` does (after its permission and order checks). This stops mistakes and tools
  that bypass the service (ORM, admin, raw SQL); not a database owner, who can drop triggers anyway.
- ``ledger_periodlock`` CHECK constraints: month 1..12, year 2000..2100 (both databases). Rows outside them, which
  locked nothing (no entry can be dated in month 13 or year 26), are deleted first.

Speed. The 0009 functions are replaced too: they built their query with ``EXECUTE format(...)`` (planned on every
statement), compared ``smallint`` columns to ``EXTRACT``'s numeric, and joined everything at once: once a month was
locked, the planner misjudged the join on ``EXTRACT(...)`` and rescanned the transition table for every journal
entry of a locked month (7–15 s of trigger time for a 5,000-entry batch of the small bench, 1–3 ms per single
posting). These are static SQL (PL/pgSQL keeps each plan for the connection), reduce the rows to their distinct
(book, month) first and reach every table by key (a LATERAL subquery with LIMIT 1 is always an index probe, so one
plan suits a single entry and a 20,000-line batch alike): 30–80 ms per batch, 0.3–0.4 ms per posting with locked
months; with none locked each returns after one ``EXISTS``. SQLite relies on the posting path's own checks.
"""

from importlib import import_module
from typing import Any

from django.db import migrations, models

LOCAL = "AT TIME ZONE 'Africa/Casablanca'"

# Every lookup is driven from the statement's distinct rows, by primary or unique key (see the docstring: the plan
# is kept for the connection, so it must suit one row and 20,000 alike).
BOOK_OF_LEDGER = """CROSS JOIN LATERAL (SELECT b.id AS book_id FROM django_ledger_ledgermodel l
          JOIN ledger_book b ON b.entity_id = l.entity_id WHERE l.uuid = p.ledger_id LIMIT 1) b"""
LEDGER_MONTHS_OF_ENTRIES = f"""SELECT DISTINCT j.ledger_id, EXTRACT(YEAR FROM j.timestamp {LOCAL})::int AS year,
            EXTRACT(MONTH FROM j.timestamp {LOCAL})::int AS month
          FROM ({{entries}}) e CROSS JOIN LATERAL (SELECT ledger_id, timestamp
            FROM django_ledger_journalentrymodel WHERE uuid = e.journal_entry_id LIMIT 1) j"""  # noqa: S608

# per table: (book_id, year, month) of each row of ``{rows}``, the month in which it is dated
ROW_PERIODS = {
    "je": (
        "django_ledger_journalentrymodel",
        f"""SELECT b.book_id, p.year, p.month FROM (SELECT DISTINCT r.ledger_id,
            EXTRACT(YEAR FROM r.timestamp {LOCAL})::int AS year, EXTRACT(MONTH FROM r.timestamp {LOCAL})::int AS month
          FROM {{rows}} r) p {BOOK_OF_LEDGER}""",  # noqa: S608
    ),
    "tx": (
        "django_ledger_transactionmodel",
        f"""SELECT b.book_id, p.year, p.month FROM ({
            LEDGER_MONTHS_OF_ENTRIES.format(entries="SELECT DISTINCT r.journal_entry_id FROM {rows} r")
        }) p {BOOK_OF_LEDGER}""",  # noqa: S608
    ),
    "entry": (
        "ledger_entry",
        "SELECT r.book_id, EXTRACT(YEAR FROM r.posted_on)::int, EXTRACT(MONTH FROM r.posted_on)::int FROM {rows} r",
    ),
    "partner": (
        "ledger_partnerline",
        f"""SELECT b.book_id, p.year, p.month FROM ({
            LEDGER_MONTHS_OF_ENTRIES.format(
                entries="SELECT DISTINCT t.journal_entry_id FROM {rows} r CROSS JOIN LATERAL "
                "(SELECT journal_entry_id FROM django_ledger_transactionmodel WHERE uuid = r.tx_id LIMIT 1) t"
            )
        }) p {BOOK_OF_LEDGER}""",  # noqa: S608
    ),
    "balance": ("ledger_balance", "SELECT r.book_id, r.year, r.month FROM {rows} r"),
}
ROWS = {"INSERT": "gie_new", "UPDATE": "(SELECT * FROM gie_old UNION ALL SELECT * FROM gie_new)", "DELETE": "gie_old"}
REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS gie_new",
    "UPDATE": "REFERENCING OLD TABLE AS gie_old NEW TABLE AS gie_new",
    "DELETE": "REFERENCING OLD TABLE AS gie_old",
}
REFUSE = (
    "RAISE EXCEPTION 'gie_erp: period % of book % is locked (%)', bad_period, bad_book, TG_TABLE_NAME "
    "USING ERRCODE = 'check_violation';"
)


def _row_check_function(name: str, periods_sql: str) -> str:
    """One function per table; each event's query is static (planned once per connection), over its rows."""
    branches = "\n  ELSIF ".join(
        f"""TG_OP = '{op}' THEN
    SELECT p.year || '-' || lpad(p.month::text, 2, '0'), p.book_id INTO bad_period, bad_book
      FROM (SELECT DISTINCT * FROM ({periods_sql.format(rows=rows)}) q(book_id, year, month)) p
      CROSS JOIN LATERAL (SELECT 1 FROM ledger_periodlock pl
        WHERE pl.book_id = p.book_id AND pl.year = p.year AND pl.month = p.month LIMIT 1) locked
     LIMIT 1;"""  # noqa: S608
        for op, rows in ROWS.items()
    )
    return f"""
CREATE OR REPLACE FUNCTION gie_lock_check_{name}() RETURNS trigger AS $$
DECLARE bad_period text; bad_book bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_periodlock) THEN RETURN NULL; END IF;
  IF {branches}
  END IF;
  IF FOUND THEN {REFUSE} END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""  # noqa: S608 - every fragment is a constant of this module


BALANCE_YEAR_FUNCTION = """
CREATE OR REPLACE FUNCTION gie_lock_check_balance_year() RETURNS trigger AS $$
DECLARE bad_period text; bad_book bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_periodlock) THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' THEN
    SELECT pl.year::text, pl.book_id INTO bad_period, bad_book
      FROM gie_old o FULL JOIN gie_new n ON n.id = o.id
      JOIN ledger_periodlock pl ON (pl.book_id = o.book_id AND pl.year = o.year)
                                OR (pl.book_id = n.book_id AND pl.year = n.year)
     WHERE o.id IS NULL OR n.id IS NULL
        OR (n.book_id, n.account_code, n.year) IS DISTINCT FROM (o.book_id, o.account_code, o.year)
        OR n.debit < o.debit OR n.credit < o.credit
     LIMIT 1;
  ELSE
    SELECT pl.year::text, pl.book_id INTO bad_period, bad_book
      FROM gie_old o JOIN ledger_periodlock pl ON pl.book_id = o.book_id AND pl.year = o.year LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'gie_erp: year % of book % has a locked month: its yearly balance is only added to', bad_period,
      bad_book USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

PERIOD_LOCK_FUNCTION = r"""
CREATE OR REPLACE FUNCTION gie_lock_check_unlock() RETURNS trigger AS $$
DECLARE bad_period text; bad_book bigint;
BEGIN
  SELECT o.year || '-' || lpad(o.month::text, 2, '0'), o.book_id INTO bad_period, bad_book FROM gie_old o
   WHERE o.book_id || '-' || o.year || '-' || o.month
         IS DISTINCT FROM current_setting('gie.period_unlock', true)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'gie_erp: period % of book % is locked: only period_unlock reopens it', bad_period, bad_book
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

OLD_TRIGGERS = {  # 0009's
    "django_ledger_journalentrymodel": ("gie_locked_je_ins", "gie_locked_je_upd_old", "gie_locked_je_upd_new",
                                        "gie_locked_je_del"),
    "django_ledger_transactionmodel": ("gie_locked_tx_ins", "gie_locked_tx_upd", "gie_locked_tx_upd_new",
                                       "gie_locked_tx_del"),
    "ledger_entry": ("gie_locked_entry_ins", "gie_locked_entry_upd", "gie_locked_entry_upd_old"),
}  # fmt: skip
OLD_FUNCTIONS = ("gie_check_locked_je_rows", "gie_check_locked_tx_rows", "gie_check_locked_entry_rows")
SUFFIX = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}


def _triggers() -> list[tuple[str, str, str, str]]:
    """(trigger, table, event, function) of every trigger this migration creates."""
    made = [
        (f"gie_lock_{name}_{SUFFIX[op]}", table, op, f"gie_lock_check_{name}")
        for name, (table, _) in ROW_PERIODS.items()
        for op in ROWS
    ]
    made += [(f"gie_lock_balance_year_{SUFFIX[op]}", "ledger_balanceyear", op, "gie_lock_check_balance_year")
             for op in ("UPDATE", "DELETE")]  # fmt: skip
    made += [(f"gie_lock_unlock_{SUFFIX[op]}", "ledger_periodlock", op, "gie_lock_check_unlock")
             for op in ("UPDATE", "DELETE")]  # fmt: skip
    return made


def create_sql() -> str:
    drops = [
        f"DROP TRIGGER IF EXISTS {trigger} ON {table};" for table, names in OLD_TRIGGERS.items() for trigger in names
    ]
    drops += [f"DROP FUNCTION IF EXISTS {function}();" for function in OLD_FUNCTIONS]
    functions = [_row_check_function(name, periods_sql) for name, (_, periods_sql) in ROW_PERIODS.items()]
    functions += [BALANCE_YEAR_FUNCTION, PERIOD_LOCK_FUNCTION]
    triggers = [
        f"CREATE TRIGGER {trigger} AFTER {op} ON {table} {REFERENCING[op]} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {function}();"
        for trigger, table, op, function in _triggers()
    ]
    return "\n".join([*drops, *functions, *triggers])


def drop_sql() -> str:
    triggers = [f"DROP TRIGGER IF EXISTS {trigger} ON {table};" for trigger, table, _, _ in _triggers()]
    functions = sorted({f"DROP FUNCTION IF EXISTS {function}();" for _, _, _, function in _triggers()})
    return "\n".join([*triggers, *functions])


def drop_impossible_locks(apps: Any, schema_editor: Any) -> None:
    """Rows the new CHECK constraints refuse (month 13, year 26) locked nothing: no entry is dated there."""
    period_lock = apps.get_model("ledger", "PeriodLock")
    valid = models.Q(month__gte=1, month__lte=12, year__gte=2000, year__lte=2100)
    period_lock.objects.exclude(valid).delete()


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(create_sql(), params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(drop_sql(), params=None)
        schema_editor.execute(import_module("ledger.migrations.0009_statement_level_lock_triggers").CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_drop_django_ledger_duplicate_indexes")]
    operations = [
        migrations.RunPython(drop_impossible_locks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="periodlock",
            constraint=models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="period_lock_month_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="periodlock",
            constraint=models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="period_lock_year_valid"
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
