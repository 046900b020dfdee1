"""The web shell: home pages per role."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gie_erp.core.roles import sees_all_books
from members import selectors


def home(request: HttpRequest) -> HttpResponse:
    """GIE staff land on the members overview; a representative on its cooperative's page."""
    user: Any = request.user
    if user.is_superuser or sees_all_books(user.role):
        orgs = selectors.organization_list(user=user)
        context = {
            "members_count": orgs.filter(kind="cooperative").count(),
            "women_count": orgs.filter(kind="cooperative", is_women_cooperative=True).count(),
            "orgs": orgs.order_by("kind", "legal_name_fr")[:20],
        }
        return render(request, "web/home_gie.html", context)
    org = user.organization
    if org is not None:
        org = selectors.organization_get(user=user, slug=org.slug)
    return render(request, "web/home_member.html", {"org": org})


class LoginView(auth_views.LoginView):
    """Django's login, then the user's preferred language (Arabic for most representatives) as the session default."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        language = getattr(form.get_user(), "preferred_language", "") or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES) and not self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response
