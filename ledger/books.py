"""Books: one django-ledger entity per organization, with the pooled chart synced into its chart of accounts."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_ledger.io import roles as dl_roles
from django_ledger.models import AccountModel, EntityModel, LedgerModel

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from ledger.chart import chart_accounts, chart_version
from ledger.models import Book, Journal
from members.models import Organization

SYSTEM_USERNAME = "gie-ledger-system"  # django-ledger requires an admin user on every entity
ENTITY_NAME_LENGTH = 30  # django-ledger builds a 50-character slug from the name plus a suffix

#: django-ledger root node of each role family (its own get_root_role returns a list for COGS: we map it here)
ROOT_OF_ROLE: dict[str, str] = {
    role: root
    for group, root in (
        (dl_roles.GROUP_ASSETS, dl_roles.ROOT_ASSETS),
        (dl_roles.GROUP_LIABILITIES, dl_roles.ROOT_LIABILITIES),
        (dl_roles.GROUP_CAPITAL, dl_roles.ROOT_CAPITAL),
        (dl_roles.GROUP_INCOME, dl_roles.ROOT_INCOME),
        (dl_roles.GROUP_COGS, dl_roles.ROOT_COGS),
        (dl_roles.GROUP_EXPENSES, dl_roles.ROOT_EXPENSES),
    )
    for role in group
}


def _system_user() -> Any:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "role": "gie_admin", "first_name": "ledger"}
    )
    return user


@transaction.atomic
def book_ensure(*, organization: Organization) -> Book:
    """The organization's book, created with its entity and the pooled chart if missing. Idempotent."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # serialise concurrent creators
    book = Book.objects.filter(organization=organization).first()
    if book is not None:
        return book
    # django-ledger derives a 50-character slug from the name plus a suffix: keep the name short (PostgreSQL
    # enforces the length; SQLite does not). The full legal name stays on the organization.
    entity = EntityModel.create_entity(
        name=organization.slug[:ENTITY_NAME_LENGTH], use_accrual_method=True, admin=_system_user(), fy_start_month=1
    )
    coa = entity.create_chart_of_accounts(assign_as_default=True, commit=True, coa_name="PCM mutualisé (CGNC)")
    book = Book.objects.create(organization=organization, entity=entity, coa=coa)
    chart_sync(book=book)
    audit_record(actor=None, event="book.created", target=book, tenant_id=organization.pk)
    return book


@transaction.atomic
def chart_sync(*, book: Book) -> int:
    """Add the chart accounts this book lacks (none removed, names refreshed); returns how many were added.

    Accounts are bulk-inserted under django-ledger's role roots with treebeard paths computed here: its own
    per-account insertion costs several queries each, too slow for 686 accounts × thousands of books.
    """
    Book.objects.select_for_update().filter(pk=book.pk).first()  # one sync per book at a time
    coa_id = book.coa_id
    existing = dict(AccountModel.objects.filter(coa_model_id=coa_id).values_list("code", "name"))
    roots = {acc.role: acc for acc in AccountModel.objects.filter(coa_model_id=coa_id, role__in=dl_roles.ROOT_GROUP)}
    missing = [acc for acc in chart_accounts() if acc.code not in existing]
    by_root: dict[str, list[AccountModel]] = {}
    now = timezone.now()
    for account in missing:
        root_role = ROOT_OF_ROLE[account.role]
        by_root.setdefault(root_role, []).append(
            AccountModel(
                uuid=uuid4(),
                code=account.code,
                name=account.name_fr[:100],
                role=account.role,
                role_default=None,
                balance_type=account.balance_type,
                locked=False,
                active=True,
                coa_model_id=coa_id,
                created=now,
                updated=now,
            )
        )
    to_create: list[AccountModel] = []
    for root_role, children in by_root.items():
        root = roots[root_role]
        # within this chart first (indexed): a bare path prefix scans every book's accounts on SQLite
        last_child = (
            AccountModel.objects.filter(coa_model_id=coa_id, depth=root.depth + 1, path__startswith=root.path)
            .order_by("path")
            .last()
            if root.numchild
            else None
        )
        next_step = AccountModel._str2int(last_child.path[-AccountModel.steplen :]) + 1 if last_child else 1
        for offset, child in enumerate(children):
            child.path = AccountModel._get_path(root.path, root.depth + 1, next_step + offset)
            child.depth = root.depth + 1
            child.numchild = 0
            to_create.append(child)
        AccountModel.objects.filter(pk=root.pk).update(numchild=root.numchild + len(children))
    AccountModel.objects.bulk_create(to_create, batch_size=500)
    renamed = [acc for acc in chart_accounts() if acc.code in existing and existing[acc.code] != acc.name_fr[:100]]
    for account in renamed:
        AccountModel.objects.filter(coa_model_id=coa_id, code=account.code).update(name=account.name_fr[:100])
    if book.chart_version != chart_version():
        Book.objects.filter(pk=book.pk).update(chart_version=chart_version())
        book.chart_version = chart_version()
    BOOK_CACHE.pop(book.pk, None)
    return len(to_create)


@dataclass(frozen=True)
class BookContext:
    """What posting needs about a book. Accounts are never removed, so a cached map that misses a code reloads."""

    book_id: int
    organization_id: int
    entity_id: UUID
    coa_id: UUID
    accounts: dict[str, UUID]


# Process caches hold committed facts only: they are filled by on_commit callbacks, so a rolled-back transaction
# (a failed import, a test) never leaves a book, an account or a ledger here that the database does not have.
BOOK_CACHE: dict[int, BookContext] = {}
LEDGER_CACHE: dict[tuple[UUID, str, int], UUID] = {}


def reset_caches() -> None:
    BOOK_CACHE.clear()
    LEDGER_CACHE.clear()


def book_context(book_id: int, *, reload: bool = False) -> BookContext:
    if reload:
        BOOK_CACHE.pop(book_id, None)
    return book_contexts([book_id])[book_id]


#: from this many books not cached, a batch loads only the accounts it posts to (a fee run to 1,600 members would
#: otherwise read 1,600 × 686 accounts); the partial maps are cached like full ones: a code they miss reloads
PARTIAL_FROM = 20


def book_contexts(book_ids: Iterable[int], codes: Iterable[str] | None = None) -> dict[int, BookContext]:
    """What posting needs about each book; the ones not cached yet are loaded together (two queries). Plain
    managers: django-ledger's own join the chart and the entity, and group ledgers by their journal entries.
    ``codes``: the accounts the caller posts to (see ``PARTIAL_FROM``)."""
    wanted = set(book_ids)
    found = {book_id: BOOK_CACHE[book_id] for book_id in wanted if book_id in BOOK_CACHE}
    missing = wanted - found.keys()
    if not missing:
        return found
    books = {
        pk: (organization_id, entity_id, coa_id)
        for pk, organization_id, entity_id, coa_id in Book.objects.filter(pk__in=missing).values_list(
            "pk", "organization_id", "entity_id", "coa_id"
        )
    }
    if missing - books.keys():
        raise DomainError(ErrorCode.NO_BOOK)
    accounts: dict[UUID, dict[str, UUID]] = {coa_id: {} for _, _, coa_id in books.values()}
    rows = (
        AccountModel._base_manager.filter(coa_model_id__in=list(accounts), active=True)
        .exclude(role__in=dl_roles.ROOT_GROUP)
        .values_list("coa_model_id", "code", "uuid")
    )
    if codes is not None and len(missing) >= PARTIAL_FROM:
        rows = rows.filter(code__in=set(codes))
    for coa_id, code, uuid in rows.iterator(chunk_size=20_000):
        accounts[coa_id][code] = uuid
    loaded = {
        book_id: BookContext(
            book_id=book_id,
            organization_id=organization_id,
            entity_id=entity_id,
            coa_id=coa_id,
            accounts=accounts[coa_id],
        )
        for book_id, (organization_id, entity_id, coa_id) in books.items()
    }
    transaction.on_commit(lambda: BOOK_CACHE.update(loaded))
    return found | loaded


def account_uuid(context: BookContext, code: str) -> UUID:
    """The book's own account for a code; refuses a code that is not in this book's chart (the tenant guard)."""
    found = context.accounts.get(code)
    if found is None:
        found = book_context(context.book_id, reload=True).accounts.get(code)
        if found is None:
            raise DomainError(ErrorCode.ACCOUNT_NOT_IN_CHART, code=code)
    return found


def ledger_uuids(keys: Iterable[tuple[UUID, str, int]]) -> dict[tuple[UUID, str, int], UUID]:
    """The ledger of each (entity, journal, year); the ones not cached are read, and the missing ones created,
    together: a batch that opens the year of 1,600 books costs three statements, not 8,000 ``get_or_create``."""
    wanted = set(keys)
    found = {key: LEDGER_CACHE[key] for key in wanted if key in LEDGER_CACHE}
    missing = wanted - found.keys()
    if not missing:
        return found

    def xid(journal: str, year: int) -> str:
        return f"{journal.lower()}-{year}"

    def lookup() -> dict[tuple[UUID, str], UUID]:
        rows = LedgerModel._base_manager.filter(
            entity_id__in={entity for entity, _, _ in missing},
            ledger_xid__in={xid(journal, year) for _, journal, year in missing},
        ).values_list("entity_id", "ledger_xid", "uuid")
        return {(entity, ledger_xid): uuid for entity, ledger_xid, uuid in rows}

    existing = lookup()
    absent = sorted(key for key in missing if (key[0], xid(key[1], key[2])) not in existing)
    if absent:  # unique (entity, ledger_xid): a concurrent creator wins, we read its ledger
        LedgerModel.objects.bulk_create(
            [
                LedgerModel(
                    entity_id=entity,
                    ledger_xid=xid(journal, year),
                    name=f"{Journal(journal).label} {year}",
                    posted=True,
                )
                for entity, journal, year in absent
            ],
            ignore_conflicts=True,
        )
        existing = lookup()
    loaded = {key: existing[(key[0], xid(key[1], key[2]))] for key in missing}
    transaction.on_commit(lambda: LEDGER_CACHE.update(loaded))
    return found | loaded
