"""PostgreSQL triggers: a locked month refuses any write dated in it, even one that bypasses our posting path
(an ORM bulk_create into django-ledger's tables, raw SQL). SQLite relies on the posting path's own check."""

from typing import Any

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION gie_period_is_locked(p_entity uuid, p_ts timestamptz) RETURNS boolean AS $$
  SELECT EXISTS (
    SELECT 1 FROM ledger_periodlock pl JOIN ledger_book b ON b.id = pl.book_id
    WHERE b.entity_id = p_entity
      AND pl.year = EXTRACT(YEAR FROM p_ts AT TIME ZONE 'Africa/Casablanca')
      AND pl.month = EXTRACT(MONTH FROM p_ts AT TIME ZONE 'Africa/Casablanca'))
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION gie_refuse_locked_je() RETURNS trigger AS $$
DECLARE ent uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT entity_id INTO ent FROM django_ledger_ledgermodel WHERE uuid = OLD.ledger_id;
    IF gie_period_is_locked(ent, OLD.timestamp) THEN
      RAISE EXCEPTION 'gie_erp: period of % is locked for this book', OLD.timestamp USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  END IF;
  SELECT entity_id INTO ent FROM django_ledger_ledgermodel WHERE uuid = NEW.ledger_id;
  IF gie_period_is_locked(ent, NEW.timestamp) THEN
    RAISE EXCEPTION 'gie_erp: period of % is locked for this book', NEW.timestamp USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION gie_refuse_locked_tx() RETURNS trigger AS $$
DECLARE ent uuid; ts timestamptz; je uuid;
BEGIN
  je := CASE WHEN TG_OP = 'DELETE' THEN OLD.journal_entry_id ELSE NEW.journal_entry_id END;
  SELECT l.entity_id, j.timestamp INTO ent, ts
    FROM django_ledger_journalentrymodel j JOIN django_ledger_ledgermodel l ON l.uuid = j.ledger_id WHERE j.uuid = je;
  IF ent IS NOT NULL AND gie_period_is_locked(ent, ts) THEN
    RAISE EXCEPTION 'gie_erp: period of % is locked for this book', ts USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION gie_refuse_locked_entry() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ledger_periodlock pl WHERE pl.book_id = NEW.book_id
             AND pl.year = EXTRACT(YEAR FROM NEW.posted_on) AND pl.month = EXTRACT(MONTH FROM NEW.posted_on)) THEN
    RAISE EXCEPTION 'gie_erp: period of % is locked for this book', NEW.posted_on USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS gie_locked_je ON django_ledger_journalentrymodel;
CREATE TRIGGER gie_locked_je BEFORE INSERT OR UPDATE OR DELETE ON django_ledger_journalentrymodel
  FOR EACH ROW EXECUTE FUNCTION gie_refuse_locked_je();
DROP TRIGGER IF EXISTS gie_locked_tx ON django_ledger_transactionmodel;
CREATE TRIGGER gie_locked_tx BEFORE INSERT OR UPDATE OR DELETE ON django_ledger_transactionmodel
  FOR EACH ROW EXECUTE FUNCTION gie_refuse_locked_tx();
DROP TRIGGER IF EXISTS gie_locked_entry ON ledger_entry;
CREATE TRIGGER gie_locked_entry BEFORE INSERT OR UPDATE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION gie_refuse_locked_entry();
"""

DROP = """
DROP TRIGGER IF EXISTS gie_locked_je ON django_ledger_journalentrymodel;
DROP TRIGGER IF EXISTS gie_locked_tx ON django_ledger_transactionmodel;
DROP TRIGGER IF EXISTS gie_locked_entry ON ledger_entry;
DROP FUNCTION IF EXISTS gie_refuse_locked_je(); DROP FUNCTION IF EXISTS gie_refuse_locked_tx();
DROP FUNCTION IF EXISTS gie_refuse_locked_entry(); DROP FUNCTION IF EXISTS gie_period_is_locked(uuid, timestamptz);
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("django_ledger", "0030_alter_accountmodel_role")]
    operations = [migrations.RunPython(forwards, backwards)]
