"""Opening balances from CSV/XLSX: one balanced entry per book, all books or none."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.audit import audit_record
from gie_erp.core.dates import earliest_date
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.idempotency import retry_once_on_conflict
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, ImportReport, read_table
from gie_erp.core.money import ZERO
from ledger.books import book_ensure
from ledger.chart import chart_by_code
from ledger.engine import PostedRef
from ledger.models import Entry, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import entry_lines
from ledger.services import journal_entries_post
from members.models import Organization

REQUIRED = ("book", "account_code")
#: the opening balances of a whole region: 1,631 books × ~30 lines
OPENING_LIMITS = ImportLimits(max_bytes=8 * MB, max_rows=60_000)


def _amount(report: ImportReport, row_no: int, name: str, text: str) -> Decimal:
    if not text:
        return ZERO
    try:
        return parse_amount(text)
    except AmountError as error:
        report.add(row_no, name, error.code, **error.params)
        return ZERO


def _same_lines(entry: Entry, lines: list[JournalLine]) -> bool:
    """The opening entry already posted carries exactly these lines (the same file sent again)."""
    posted = sorted((ln.account_code, ln.debit, ln.credit, ln.partner_id or 0) for ln in entry_lines(entry))
    return posted == sorted((ln.account_code, ln.debit, ln.credit, ln.partner_id or 0) for ln in lines)


def opening_balances_import(
    *, filename: str, content: bytes, opened_on: date, acting_user: Any, today: date | None = None
) -> list[PostedRef]:
    """Rows ``book, account_code, debit, credit[, partner]``; each book's rows must balance; none written on error.

    The file is parsed and checked before the write transaction opens; the books are posted in one durable
    transaction (a double submit writes once: the second run finds the ``opening:`` keys and replays them)."""
    if opened_on < earliest_date():
        raise DomainError(ErrorCode.DATE_TOO_EARLY, date=opened_on.isoformat(), earliest=earliest_date().isoformat())
    rows = read_table(filename, content, OPENING_LIMITS)
    report = ImportReport(rows_read=len(rows), max_errors=OPENING_LIMITS.max_errors)
    orgs = {org.slug: org for org in Organization.objects.all()}
    chart = chart_by_code()
    lines: dict[str, list[JournalLine]] = defaultdict(list)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rows:
        row_no = row.number  # as the person sees it in the file (blank rows counted)
        missing = [name for name in REQUIRED if not row.get(name)]
        for name in missing:
            report.add(row_no, name, ErrorCode.IMPORT_MISSING_FIELD)
        if missing:
            continue
        slug, code = row["book"], row["account_code"]
        if slug not in orgs:
            report.add(row_no, "book", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=slug)
        if code not in chart:
            report.add(row_no, "account_code", ErrorCode.IMPORT_UNKNOWN_ACCOUNT, value=code)
        errors_before = report.error_count
        debit = _amount(report, row_no, "debit", row.get("debit", ""))
        credit = _amount(report, row_no, "credit", row.get("credit", ""))
        if report.error_count > errors_before:
            continue
        if (debit > 0) == (credit > 0):
            report.add(row_no, "debit", ErrorCode.IMPORT_BAD_VALUE, value=f"{debit} / {credit}")
            continue
        partner = row.get("partner", "")
        if partner and partner not in orgs:
            report.add(row_no, "partner", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=partner)
            continue
        if slug in orgs and code in chart:
            lines[slug].append(
                JournalLine(code, debit=debit, credit=credit, partner_id=orgs[partner].pk if partner else None)
            )
            totals[slug][0] += debit
            totals[slug][1] += credit
    for slug, (debit, credit) in sorted(totals.items()):
        if debit != credit:
            report.add(0, "book", ErrorCode.IMPORT_UNBALANCED, value=slug, debit=str(debit), credit=str(credit))
    books = {slug: book_ensure(organization=orgs[slug]) for slug in sorted(lines)}
    # One opening per book: another date, or other lines on the same date, is refused while the first stands (reverse
    # it first). After a reversal the next opening takes a new key (the old one is spent).
    openings: dict[int, list[Entry]] = defaultdict(list)
    for entry in Entry.objects.filter(book__in=books.values(), idempotency_key__startswith="opening:").select_related(
        "reversed_by"
    ):
        openings[entry.book_id].append(entry)
    keys: dict[str, str] = {}
    for slug, book in books.items():
        standing = [e for e in openings[book.pk] if getattr(e, "reversed_by", None) is None]
        spent = len(openings[book.pk]) - len(standing)
        keys[slug] = f"opening:{opened_on.isoformat()}" + (f":{spent + 1}" if spent else "")
        for entry in standing:
            if entry.idempotency_key != keys[slug] or not _same_lines(entry, lines[slug]):
                report.add(0, "book", ErrorCode.OPENING_EXISTS, value=slug, number=entry.number,
                           date=f"{entry.posted_on:%d/%m/%Y}")  # fmt: skip
    if not report.ok:
        raise ImportRefused(report)
    drafts = []
    for slug, book_lines in sorted(lines.items()):
        book = books[slug]
        drafts.append(
            EntryDraft(
                book_id=book.pk,
                posted_on=opened_on,
                journal=Journal.MISC,
                description=f"Soldes d'ouverture au {opened_on:%d/%m/%Y}",
                source_ref=filename[:120],
                idempotency_key=keys[slug],
                lines=tuple(book_lines),
            )
        )

    def post(attempt: int) -> list[PostedRef]:
        refs = journal_entries_post(drafts=drafts, acting_user=acting_user, today=today)
        if any(ref.created for ref in refs):
            audit_record(
                actor=acting_user, event="ledger.opening_imported", data={"books": len(drafts), "file": filename}
            )
        return refs

    return retry_once_on_conflict(post)
