"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest
from django.utils import translation

from gie_erp.core.roles import Role, may_write, sees_all_books


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {
        "user_role": role,
        "Role": Role,
        "is_gie_staff": sees_all_books(role),
        "may_write": may_write(role),
        "is_rtl": translation.get_language_bidi(),
    }
