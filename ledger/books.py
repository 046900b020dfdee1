"""Books: one django-ledger entity per organization, with the pooled chart synced into its chart of accounts."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_ledger.io import roles as dl_roles
from django_ledger.models import AccountModel, ChartOfAccountModel, EntityModel, LedgerModel

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from ledger.chart import chart_accounts, chart_version
from ledger.models import Book, Journal
from members.models import Organization

SYSTEM_USERNAME = "gie-ledger-system"  # django-ledger requires an admin user on every entity

#: django-ledger root node of each role family (its own get_root_role returns a list for COGS: we map it here)
ROOT_OF_ROLE: dict[str, str] = {}
for _role in dl_roles.GROUP_ASSETS:
    ROOT_OF_ROLE[_role] = dl_roles.ROOT_ASSETS
for _role in dl_roles.GROUP_LIABILITIES:
    ROOT_OF_ROLE[_role] = dl_roles.ROOT_LIABILITIES
for _role in dl_roles.GROUP_CAPITAL:
    ROOT_OF_ROLE[_role] = dl_roles.ROOT_CAPITAL
for _role in dl_roles.GROUP_INCOME:
    ROOT_OF_ROLE[_role] = dl_roles.ROOT_INCOME
for _role in dl_roles.GROUP_COGS:
    ROOT_OF_ROLE[_role] = dl_roles.ROOT_COGS
for _role in dl_roles.GROUP_EXPENSES:
    ROOT_OF_ROLE[_role] = dl_roles.ROOT_EXPENSES


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
    entity = EntityModel.create_entity(
        name=organization.legal_name_fr[:150], use_accrual_method=True, admin=_system_user(), fy_start_month=1
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
    coa = ChartOfAccountModel.objects.select_for_update().get(pk=book.coa_id)
    existing = dict(AccountModel.objects.filter(coa_model=coa).values_list("code", "name"))
    roots = {acc.role: acc for acc in AccountModel.objects.filter(coa_model=coa, role__in=dl_roles.ROOT_GROUP)}
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
                coa_model=coa,
                created=now,
                updated=now,
            )
        )
    to_create: list[AccountModel] = []
    for root_role, children in by_root.items():
        root = roots[root_role]
        last_child = (
            AccountModel.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path").last()
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
        AccountModel.objects.filter(coa_model=coa, code=account.code).update(name=account.name_fr[:100])
    if book.chart_version != chart_version():
        Book.objects.filter(pk=book.pk).update(chart_version=chart_version())
        book.chart_version = chart_version()
    BOOK_CACHE.pop(book.pk, None)
    return len(to_create)


@dataclass
class BookContext:
    """What posting needs about a book, cached per process: accounts never disappear, so a miss just reloads."""

    book_id: int
    organization_id: int
    entity_id: UUID
    coa_id: UUID
    accounts: dict[str, UUID]
    ledgers: dict[tuple[str, int], UUID] = field(default_factory=dict)


BOOK_CACHE: dict[int, BookContext] = {}


def book_context(book_id: int, *, reload: bool = False) -> BookContext:
    context = BOOK_CACHE.get(book_id)
    if context is None or reload:
        try:
            book = Book.objects.get(pk=book_id)
        except Book.DoesNotExist:
            raise DomainError(ErrorCode.NO_BOOK) from None
        accounts = dict(
            AccountModel.objects.filter(coa_model_id=book.coa_id, active=True)
            .exclude(role__in=dl_roles.ROOT_GROUP)
            .values_list("code", "uuid")
        )
        context = BookContext(
            book_id=book.pk,
            organization_id=book.organization_id,
            entity_id=book.entity_id,
            coa_id=book.coa_id,
            accounts=accounts,
        )
        BOOK_CACHE[book_id] = context
    return context


def account_uuid(context: BookContext, code: str) -> UUID:
    """The book's own account for a code; refuses a code that is not in this book's chart (the tenant guard)."""
    found = context.accounts.get(code)
    if found is None:
        context = book_context(context.book_id, reload=True)
        found = context.accounts.get(code)
        if found is None:
            raise DomainError(ErrorCode.ACCOUNT_NOT_IN_CHART, code=code)
    return found


def ledger_uuid(context: BookContext, journal: str, year: int) -> UUID:
    """The posted django-ledger ledger of this book for a journal and year (e.g. ``vt-2026``), created once."""
    key = (journal, year)
    found = context.ledgers.get(key)
    if found is None:
        xid = f"{journal.lower()}-{year}"
        ledger, _ = LedgerModel.objects.get_or_create(
            entity_id=context.entity_id,
            ledger_xid=xid,
            defaults={"name": f"{Journal(journal).label} {year}", "posted": True},
        )
        found = context.ledgers[key] = ledger.uuid
    return found
