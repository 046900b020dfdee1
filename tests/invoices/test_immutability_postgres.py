"""On PostgreSQL a validated document cannot be changed or deleted by any path (ORM, raw SQL): triggers. Payments
may still record what was paid; a draft stays free."""

from datetime import date
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from invoices.models import Document, DocumentLine
from invoices.payments import payment_record
from invoices.services import document_save_draft, document_validate
from tests.invoices.conftest import TODAY, D, line

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def validated(world: dict[str, Any]) -> Document:
    draft = document_save_draft(
        issuer=world["gie"], customer=world["hotel"], issued_on=date(2026, 10, 5), lines=[line("Conseil", "1", "100")]
    )
    return document_validate(document_id=draft.pk, today=TODAY)


def test_a_validated_document_refuses_edits_and_deletes_from_any_path(world: dict[str, Any]) -> None:
    document = validated(world)
    for change in (
        lambda: Document.objects.filter(pk=document.pk).update(total_gross=D("1.00")),
        lambda: Document.objects.filter(pk=document.pk).update(number="FA-2026-99999"),
        lambda: Document.objects.filter(pk=document.pk).update(status=Document.Status.DRAFT),
        lambda: Document.objects.filter(pk=document.pk).delete(),
        lambda: DocumentLine.objects.filter(document=document).update(net=D("1.00")),
        lambda: DocumentLine.objects.filter(document=document).delete(),
        lambda: DocumentLine.objects.create(
            document=document, description="x", quantity=1, unit_price=1, vat_rate_id=document.lines.get().vat_rate_id
        ),
    ):
        with pytest.raises(DatabaseError, match="validated"), transaction.atomic():
            change()
    with pytest.raises(DatabaseError, match="validated"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE invoices_document SET customer_snapshot = '{}' WHERE id = %s", [document.pk])
    document.refresh_from_db()
    assert (document.number, document.total_gross) == ("FA-2026-00001", D("120.00"))


def test_payments_still_record_on_a_validated_document_and_drafts_stay_free(world: dict[str, Any]) -> None:
    document = validated(world)
    payment_record(
        payer=world["hotel"],
        collected_by=world["gie"],
        documents=[document],
        received_on=date(2026, 10, 9),
        method="cash",
        amount=D("20.00"),
        idempotency_key="imm",
        today=TODAY,
    )
    document.refresh_from_db()
    assert document.amount_paid == D("20.00")
    draft = document_save_draft(
        issuer=world["gie"], customer=world["hotel"], issued_on=date(2026, 10, 5), lines=[line("Conseil", "2", "5")]
    )
    DocumentLine.objects.filter(document=draft).update(description="Conseil (2 h)")
    Document.objects.filter(pk=draft.pk).delete()
    assert not Document.objects.filter(pk=draft.pk).exists()
