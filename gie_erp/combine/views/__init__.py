"""The combined accounts' pages, by page group: the combination (``accounts``) and the pair list (``rules``). The
GIE's staff and auditor read; its administrator and accountant change the pairs; everyone else gets 403."""

from typing import Any

from django.http import HttpRequest

from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, may_write

READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)


def can_write(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or may_write(getattr(user, "role", "")))
