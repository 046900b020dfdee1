"""The close tests' October: tests/close/test_month_close.py's docstring gives its figures."""

from datetime import date
from typing import Any

import pytest

from invoices.parties import party_for_member
from invoices.payments import payment_record
from invoices.services import document_save_draft, document_validate
from tests.invoices.conftest import D, balance, line, world  # noqa: F401

TODAY = date(2026, 11, 22)


@pytest.fixture
def october(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811 (the invoices fixture)
    gie, miel = world["gie"], world["registered"]
    party = party_for_member(organization=miel)
    draft = document_save_draft(
        issuer=gie, customer=party, issued_on=date(2026, 10, 5), lines=[line("Accompagnement", "1", "1000.00")]
    )
    invoice = document_validate(document_id=draft.pk, today=TODAY)
    assert invoice.total_gross == D("1200.00")
    payment_record(
        payer=party, collected_by=gie, documents=[invoice], received_on=date(2026, 10, 20), method="transfer",
        amount=D("1200.00"), idempotency_key="oct-fee", today=TODAY,
    )  # fmt: skip
    assert (balance(gie, "4455"), balance(miel, "34552")) == (D("-200.00"), D("200.00"))
    return world
