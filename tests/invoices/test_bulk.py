"""Drafts in bulk (fee runs): the same documents as one by one, a replay returns them, members' parties made once."""

from datetime import date
from typing import Any

from invoices.bulk import DraftInput, documents_save_drafts
from invoices.models import Document, Party
from invoices.parties import parties_for_members, party_for_member
from invoices.services import document_save_draft
from tests.invoices.conftest import D, line, world  # noqa: F401

DAY = date(2026, 3, 31)


def _fields(document: Document) -> tuple[Any, ...]:
    lines = [(ln.description, ln.quantity, ln.unit_price, ln.vat_rate.code, ln.net, ln.vat, ln.account_code)
             for ln in document.lines.select_related("vat_rate").order_by("position")]  # fmt: skip
    return (document.issuer_id, document.customer_id, document.issued_on, document.due_on, document.payment_terms,
            document.note, document.origin, document.analytic_tag, document.expense_account, document.total_net,
            document.total_vat, document.total_gross, lines)  # fmt: skip


def test_bulk_drafts_equal_drafts_made_one_by_one_and_a_replay_returns_them(world: dict[str, Any]) -> None:  # noqa: F811
    gie, olive, miel = world["gie"], world["exempt"], world["registered"]
    parties = parties_for_members(organizations=[olive, miel])
    assert {p.code for p in parties.values()} == {"coop-olive", "coop-miel"}
    assert parties[olive.pk] == party_for_member(organization=olive)  # the same party, not a second one
    common: dict[str, Any] = {
        "note": "n",
        "origin": Document.Origin.FEE_RUN,
        "analytic_tag": "fees:x",
        "expense_account": "6136",
    }
    lines = [line("Quote-part", "1", "3333.34", "normal-20", account_code="7124")]
    bulk = documents_save_drafts(
        issuer=gie,
        issued_on=DAY,
        drafts=[DraftInput(parties[olive.pk], lines, "k1"), DraftInput(parties[miel.pk], lines, "k2")],
        **common,
    )
    single = document_save_draft(
        issuer=gie, customer=parties[olive.pk], issued_on=DAY, lines=lines, idempotency_key="k3", **common
    )
    assert _fields(bulk[0]) == _fields(single)
    assert (bulk[0].total_net, bulk[0].total_vat, bulk[0].total_gross) == (D("3333.34"), D("666.67"), D("4000.01"))
    again = documents_save_drafts(
        issuer=gie, issued_on=DAY, drafts=[DraftInput(parties[miel.pk], lines, "k2")], **common
    )
    assert [d.pk for d in again] == [bulk[1].pk]
    assert Document.objects.count() == 3
    assert Party.objects.filter(organization__in=[olive, miel]).count() == 2
