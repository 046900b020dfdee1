"""Pure posting rules: no database."""

from datetime import date
from decimal import Decimal

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.models import Journal
from ledger.posting import EntryDraft, JournalLine, check_balanced, check_draft, draft_digest, reversed_lines


def test_a_line_is_one_positive_side_with_two_decimals():
    with pytest.raises(DomainError) as info:
        JournalLine("5161", debit=Decimal("1.00"), credit=Decimal("1.00"))
    assert info.value.code == ErrorCode.BAD_LINE
    with pytest.raises(DomainError):
        JournalLine("5161")
    with pytest.raises(DomainError):
        JournalLine("5161", debit=Decimal("-5.00"))
    with pytest.raises(DomainError):
        JournalLine("5161", debit=Decimal("0.005"))
    with pytest.raises(DomainError):
        JournalLine("5161", debit=0.5)  # type: ignore[arg-type]


def test_balance_is_exact_no_tolerance():
    lines = [JournalLine("5161", debit=Decimal("100.00")), JournalLine("7121", credit=Decimal("99.99"))]
    with pytest.raises(DomainError) as info:
        check_balanced(lines)  # django-ledger would accept it (0.02 tolerance) and invent a centime
    assert info.value.code == ErrorCode.UNBALANCED_ENTRY
    assert info.value.message("fr") == "Écriture déséquilibrée : débit 100.00, crédit 99.99."
    with pytest.raises(DomainError):
        check_balanced([JournalLine("5161", debit=Decimal("1.00"))])
    check_balanced([JournalLine("5161", debit=Decimal("100.00")), JournalLine("7121", credit=Decimal("100.00"))])


def _draft(**changes: object) -> EntryDraft:
    base = {
        "book_id": 1,
        "posted_on": date(2026, 3, 1),
        "journal": Journal.CASH,
        "description": "vente",
        "source_ref": "T-1",
        "idempotency_key": "k",
        "lines": (JournalLine("5161", debit=Decimal("10.00")), JournalLine("7121", credit=Decimal("10.00"))),
    }
    base.update(changes)
    return EntryDraft(**base)  # type: ignore[arg-type]


def test_draft_rules():
    check_draft(_draft(), today=date(2026, 3, 1))
    with pytest.raises(DomainError) as info:
        check_draft(_draft(), today=date(2026, 2, 28))
    assert info.value.code == ErrorCode.FUTURE_DATE
    with pytest.raises(DomainError) as info:
        check_draft(_draft(source_ref="  "), today=date(2026, 3, 1))
    assert info.value.code == ErrorCode.MISSING_SOURCE


def test_digest_covers_content_not_description():
    assert draft_digest(_draft()) == draft_digest(_draft(description="autre libellé"))
    assert draft_digest(_draft()) != draft_digest(_draft(posted_on=date(2026, 3, 2)))
    other_lines = (JournalLine("5161", debit=Decimal("10.01")), JournalLine("7121", credit=Decimal("10.01")))
    assert draft_digest(_draft()) != draft_digest(_draft(lines=other_lines))


def test_reversal_swaps_sides_and_keeps_partners():
    lines = (
        JournalLine("3488", debit=Decimal("6000.00"), partner_id=7),
        JournalLine("7121", credit=Decimal("6000.00")),
    )
    assert reversed_lines(lines) == (
        JournalLine("3488", credit=Decimal("6000.00"), partner_id=7),
        JournalLine("7121", debit=Decimal("6000.00")),
    )
