"""On PostgreSQL, a validated document cannot be changed or deleted by any path (ORM, admin, raw SQL): its number,
parties, date, totals, frozen identities and lines are what was posted and printed. What a validated document may
still record are the amounts paid, credited and written off and its e-invoicing state (the services update them).
SQLite relies on the services' own checks."""

from typing import Any

from django.db import migrations

FROZEN = (
    "status",
    "kind",
    "number",
    "year",
    "sequence",
    "issuer_id",
    "customer_id",
    "issued_on",
    "due_on",
    "corrects_id",
    "total_net",
    "total_vat",
    "total_gross",
    "issuer_snapshot",
    "customer_snapshot",
    "vat_regime",
    "verify_token",
    "origin",
    "origin_ref",
    "expense_account",
)

CREATE = """
CREATE OR REPLACE FUNCTION invoices_document_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'validated' THEN
      RAISE EXCEPTION 'validated document % cannot be deleted', OLD.number USING ERRCODE = '23000';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'validated' AND (CHANGED) THEN
    RAISE EXCEPTION 'validated document % cannot be changed', OLD.number USING ERRCODE = '23000';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER invoices_document_frozen BEFORE UPDATE OR DELETE ON invoices_document
  FOR EACH ROW EXECUTE FUNCTION invoices_document_frozen();

CREATE OR REPLACE FUNCTION invoices_line_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE doc_id bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN doc_id := OLD.document_id; ELSE doc_id := NEW.document_id; END IF;
  IF EXISTS (SELECT 1 FROM invoices_document WHERE id = doc_id AND status = 'validated') OR (TG_OP = 'UPDATE'
     AND EXISTS (SELECT 1 FROM invoices_document WHERE id = OLD.document_id AND status = 'validated')) THEN
    RAISE EXCEPTION 'the lines of a validated document cannot be changed' USING ERRCODE = '23000';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER invoices_line_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoices_documentline
  FOR EACH ROW EXECUTE FUNCTION invoices_line_frozen();
"""

CREATE = CREATE.replace("CHANGED", " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN))

DROP = """
DROP TRIGGER IF EXISTS invoices_line_frozen ON invoices_documentline;
DROP FUNCTION IF EXISTS invoices_line_frozen();
DROP TRIGGER IF EXISTS invoices_document_frozen ON invoices_document;
DROP FUNCTION IF EXISTS invoices_document_frozen();
"""


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the % of RAISE stays as it is
            cursor.execute(CREATE)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0004_vat_rates_2026")]
    operations = [migrations.RunPython(forward, backward)]
