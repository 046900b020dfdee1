"""Joining the GIE: a member cooperative is created with its books, in one transaction."""

from typing import Any

from django.db import transaction

from ledger.books import book_ensure
from members.imports import ImportResult, members_import
from members.models import Organization


@transaction.atomic(durable=True)
def members_import_with_books(*, filename: str, content: bytes, acting_user: Any) -> ImportResult:
    """Import cooperatives (all rows or none) and open each one's books on the pooled chart."""
    before = set(Organization.objects.values_list("pk", flat=True))
    result = members_import(filename=filename, content=content, acting_user=acting_user)
    for org in Organization.objects.exclude(pk__in=before):
        book_ensure(organization=org)
    return result
