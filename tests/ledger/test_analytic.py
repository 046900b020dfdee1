"""Analytic tags on the posting path: stored per line beside the partner, kept by a reversal, refused when
malformed, invisible to the digests of untagged entries, exported as hledger tags."""

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.idempotency import content_digest
from ledger.analytic import tag_report
from ledger.models import AnalyticLine, Entry, Journal
from ledger.posting import EntryDraft, JournalLine, draft_digest
from tests.ledger.conftest import D, cr, dr, post


def test_tags_are_stored_per_line_and_reported(book_gie: Any) -> None:
    post(book_gie, date(2026, 3, 2), "t1", JournalLine("61365", debit=D("1200.00"), tag="training:s1"),
         JournalLine("61312", debit=D("300.00"), tag="training:s1"), cr("5141", "1500.00"))  # fmt: skip
    post(book_gie, date(2026, 3, 3), "t2", dr("3463", "1050.00"),
         JournalLine("7124", credit=D("1050.00"), tag="training:s1"))  # fmt: skip
    post(book_gie, date(2026, 3, 3), "t3", dr("61365", "99.00"), cr("5141", "99.00"))  # untagged: not in the report
    assert AnalyticLine.objects.count() == 3
    report = tag_report(book=book_gie, tag="training:s1")
    assert [(r.account_code, r.debit, r.credit) for r in report.accounts] == [
        ("61312", D("300.00"), D("0.00")),
        ("61365", D("1200.00"), D("0.00")),
        ("7124", D("0.00"), D("1050.00")),
    ]
    assert (report.costs, report.revenue, report.result) == (D("1500.00"), D("1050.00"), D("-450.00"))


@pytest.mark.parametrize("tag", ["Training:x", "a b", "é", ":x", "x" * 81, "x;y"])
def test_a_malformed_tag_is_refused(tag: str) -> None:
    with pytest.raises(DomainError) as caught:
        JournalLine("61365", debit=D("1.00"), tag=tag)
    assert caught.value.code == ErrorCode.BAD_TAG


def test_an_untagged_entrys_digest_is_what_it_always_was() -> None:
    """Entries posted before tags existed replay under the same key: their digest must not change."""
    common: dict[str, Any] = {"book_id": 1, "posted_on": date(2026, 3, 1), "journal": Journal.MISC, "description": "x",
              "source_ref": "r", "idempotency_key": "k"}  # fmt: skip
    draft = EntryDraft(**common, lines=(dr("5141", "10.00"), cr("7121", "10.00")))
    before_tags = content_digest(
        {"book": 1, "date": "2026-03-01", "journal": "OD", "source": "r",
         "lines": [["5141", "10.00", "0.00", 0], ["7121", "0.00", "10.00", 0]]}
    )  # fmt: skip
    assert draft_digest(draft) == before_tags
    tagged = EntryDraft(**common, lines=(dr("5141", "10.00"), JournalLine("7121", credit=D("10.00"), tag="t:x")))
    assert draft_digest(tagged) != before_tags


def test_the_hledger_export_carries_tags(book_gie: Any, tmp_path: Path) -> None:
    post(book_gie, date(2026, 3, 2), "t1", JournalLine("61365", debit=D("1200.00"), tag="training:s1"),
         cr("5141", "1200.00"))  # fmt: skip
    journal = tmp_path / "all.journal"
    call_command("export_journal", "--book", "all", "--format", "hledger", "--out", str(journal))
    subprocess.run(["hledger", "-f", str(journal), "check"], check=True, capture_output=True)
    out = subprocess.run(["hledger", "-f", str(journal), "bal", "--flat", "--no-total", "tag:analytic=training:s1"],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert out.split() == ["1,200.00", "MAD", "gie:61365"]  # the tagged line only, not its 5141 counterpart
    assert Entry.objects.count() == 1
