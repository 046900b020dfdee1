"""The web shell: login with the preferred language, home per role, dashboard, users and roles."""

from typing import Any

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.imports import MEMBER_LIMITS, import_with_report, upload_content
from gie_erp.core.roles import Role, sees_all_books
from gie_erp.jobs.onboarding import members_import_with_books
from gie_erp.web.dashboard import dashboard_rows, dashboard_totals
from gie_erp.web.portal import portal_home
from members import selectors
from members.allocation_import import ALLOCATION_LIMITS, allocation_column_guide, allocation_values_import
from members.imports import ColumnGuide, column_guide, cooperators_import
from members.models import Organization, User
from members.services import user_create, user_locked_out_record, user_update

PAGE_SIZE = 50


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that is too old (or from a second tab after logging in): the app's 403 page that says
    what to do, in the user's language, instead of Django's technical page."""
    return render(request, "403_csrf.html", status=403)


class LoginView(auth_views.LoginView):
    """Django's login, throttled by django-axes (settings ``AXES_*``), then the user's preferred language (Arabic for
    most representatives) as the session default."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        # Only this account's failures from this address: axes' own reset would clear the whole address.
        axes_reset(ip=get_client_ip_address(self.request), username=user.get_username())
        # the language the login page was read in (the browser's, with no cookie yet) when it is not the default;
        # else the user's preferred language (Arabic for most representatives)
        shown = translation.get_language_from_request(self.request)
        preferred = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        language = shown if shown != settings.LANGUAGE_CODE else preferred
        if language in dict(settings.LANGUAGES) and not self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,  # Secure in production, like Django's own language cookie
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
            )
        return response


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page (``AXES_LOCKOUT_CALLABLE``), 429 in the reader's language; the failure that starts a lockout
    is audited (later refused attempts count on, so they are not: one row per lockout, not per attempt)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures == get_failure_limit(request, credentials):
        user_locked_out_record(
            username=get_client_username(request, credentials) or "",
            ip_address=getattr(request, "axes_ip_address", None),
            failures=failures,
        )
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def home(request: HttpRequest) -> HttpResponse:
    """GIE staff land on the dashboard of all members; a representative on the cooperative portal; a fair seller
    on the till; a trainer on its sessions."""
    user: Any = request.user
    if user.is_superuser or sees_all_books(user.role):
        return dashboard(request)
    if user.role == Role.COOP_REPRESENTATIVE and user.organization_id:
        return portal_home(request)
    if user.role == Role.FAIR_SELLER:  # a seller's job is the till (its events only)
        return redirect("sales:till_home")
    if user.role == Role.TRAINER:  # a trainer's job is its sessions (attendance on the phone)
        return redirect("training:session_list")
    return render(request, "web/home_other.html")


def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    search = request.GET.get("q", "").strip()
    orgs = selectors.organization_list(user=user, search=search)
    if request.GET.get("women"):
        orgs = orgs.filter(is_women_cooperative=True)
    if request.GET.get("sector"):
        orgs = orgs.filter(sector=request.GET["sector"])
    orgs = orgs.order_by("kind", "legal_name_fr")
    year = timezone.localdate().year
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        rows = dashboard_rows(list(orgs[:5000]), year=year)
        return table_response(
            filename="tableau-de-bord",
            fmt=fmt,
            headers=["slug", "organisation", "derniere_ecriture", "caisse", "banque", "gie_doit", "doit_au_gie",
                     "mois_verrouilles", "alerte"],
            rows=((r.org.slug, r.org.legal_name_fr, r.last_posting, r.cash, r.bank, r.gie_owes, r.owes_gie,
                   len(r.locked_months), "oui" if r.alert else "") for r in rows),
        )  # fmt: skip
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = dashboard_rows(list(page.object_list), year=year, language=getattr(request, "LANGUAGE_CODE", "fr"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/dashboard.html",
        {
            "page": page,
            "rows": rows,
            "totals": dashboard_totals(selectors.organization_qs_visible(user=user)),
            "q": search,
            "year": year,
            "sectors": Organization.Sector.choices,
            "query": query.urlencode(),
        },
    )


class UserForm(forms.Form):
    """A new login (``target`` None) or an existing one: its username is then fixed, its password optional."""

    username = forms.CharField(label=gettext_lazy("Identifiant"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=150, required=False)
    # The least power by default: a representative reads one cooperative's books and writes nothing, and the form
    # refuses it without a cooperative, so every other role is a deliberate choice.
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices, initial=Role.COOP_REPRESENTATIVE)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Coopérative"), required=False, queryset=Organization.objects.all(), to_field_name="slug"
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Langue"), choices=[("fr", "Français"), ("ar", "العربية")]
    )
    password = forms.CharField(
        label=gettext_lazy("Mot de passe (création ou réinitialisation)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    def __init__(self, *args: Any, target: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["password"].help_text = password_validators_help_text_html()
        if target is not None:
            self.fields["username"].disabled = True  # editing never renames (nor creates) another login

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if self.target is None and User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Cet identifiant est déjà utilisé : choisissez-en un autre."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.COOP_REPRESENTATIVE and not data.get("organization"):
            self.add_error("organization", _("Un représentant est lié à une coopérative."))
        password = data.get("password")
        if self.target is None and not password:
            self.add_error("password", _("Choisissez un mot de passe pour un nouvel utilisateur."))
        if password:
            # Django's validators (settings.AUTH_PASSWORD_VALIDATORS), with the user's own words to compare with.
            person = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=self.target.email if self.target is not None else "",
            )
            try:
                validate_password(password, user=person)
            except ValidationError as error:
                self.add_error("password", error)
        return data


@role_required(Role.GIE_ADMIN)
def users(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    qs = User.objects.select_related("organization").order_by("role", "username")
    if search:
        qs = qs.filter(username__icontains=search) | qs.filter(last_name__icontains=search)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return table_response(
            filename="utilisateurs",
            fmt=fmt,
            headers=["username", "first_name", "last_name", "role", "organization", "language", "is_active"],
            rows=((u.username, u.first_name, u.last_name, u.role, u.organization.slug if u.organization else "",
                   u.preferred_language, u.is_active) for u in qs),
        )  # fmt: skip
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/users.html", {"page": page, "q": search})


@role_required(Role.GIE_ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    """Create a login or change its role; an administrator resets a forgotten password here."""
    target = None
    if user_id is not None:
        try:
            target = User.objects.get(pk=user_id)
        except User.DoesNotExist:
            raise Http404 from None
        if target.is_superuser and not getattr(request.user, "is_superuser", False):
            raise PermissionDenied  # else a GIE administrator could reset a superuser's password and become one
    initial = {}
    if target is not None:
        initial = {
            "username": target.username,
            "first_name": target.first_name,
            "last_name": target.last_name,
            "role": target.role,
            "organization": target.organization.slug if target.organization else None,
            "preferred_language": target.preferred_language,
        }
    form = UserForm(request.POST or None, initial=initial, target=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "role": Role(data["role"]),
            "organization": data["organization"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "preferred_language": data["preferred_language"],
        }
        try:
            if target is None:
                user = user_create(
                    acting_user=request.user, username=data["username"], password=data["password"], **fields
                )
            else:
                user = user_update(acting_user=request.user, user=target, password=data["password"], **fields)
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("Utilisateur %(name)s enregistré.") % {"name": user.username})
            return redirect("web:users")
    return render(request, "web/user_edit.html", {"form": form, "target": target})


#: the import page's sheets, with the name of their empty template
IMPORT_KINDS = {"members": "cooperatives", "cooperators": "cooperateurs", "allocation": "donnees-repartition"}


def _import_guide(kind: str) -> list[ColumnGuide]:
    return allocation_column_guide() if kind == "allocation" else column_guide(kind)


@role_required(Role.GIE_ADMIN, Role.GIE_ACCOUNTANT)
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of cooperatives or cooperators; the row-by-row report is in French and Arabic."""
    kind = request.POST.get("kind") or request.GET.get("template") or "members"
    kind = kind if kind in IMPORT_KINDS else "members"
    if request.method == "GET" and request.GET.get("template"):
        # a sheet to fill in: the header row only (an example row would be imported as a real member if left in;
        # the page shows an example per column)
        return table_response(
            filename=f"modele-{IMPORT_KINDS[kind]}",
            fmt=request.GET.get("format", "xlsx"),
            headers=[column.name for column in _import_guide(kind)],
            rows=[],
        )
    context: dict[str, Any] = {"kind": kind, "guides": [(name, _import_guide(name)) for name in IMPORT_KINDS]}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choisissez un fichier CSV ou XLSX."))
            return render(request, "members/import.html", context)
        name = upload.name or ""
        if context["kind"] == "allocation":
            allocation = import_with_report(
                request,
                context,
                lambda: allocation_values_import(
                    filename=name, content=upload_content(upload, ALLOCATION_LIMITS), acting_user=request.user
                ),
            )
            if allocation is not None:
                text = ngettext(
                    "%(count)d donnée de répartition importée.",
                    "%(count)d données de répartition importées.",
                    allocation.created + allocation.updated,
                )
                messages.success(request, text % {"count": allocation.created + allocation.updated})
                return redirect("members:list")
            return render(request, "members/import.html", context)
        if context["kind"] == "cooperators":
            result = import_with_report(
                request,
                context,
                lambda: cooperators_import(
                    filename=name, content=upload_content(upload, MEMBER_LIMITS), acting_user=request.user
                ),
            )
        else:
            result = import_with_report(
                request,
                context,
                lambda: members_import_with_books(
                    filename=name, content=upload_content(upload, MEMBER_LIMITS), acting_user=request.user
                ),
            )
        if result is not None:
            text = ngettext("%(count)d ligne importée.", "%(count)d lignes importées.", result.created)
            messages.success(request, text % {"count": result.created})
            return redirect("members:list")
    return render(request, "members/import.html", context)
