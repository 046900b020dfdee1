"""Pages for members and cooperators. Parse, call one selector or service, render."""

import re
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history, reads_audit
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.roles import WRITE_ROLES, may_write
from members import selectors, services
from members.models import Cooperator

PAGE_SIZE = 50


def member_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    search = request.GET.get("q", "").strip()
    orgs = selectors.organization_list(user=user, search=search).order_by("kind", "legal_name_fr")
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return table_response(
            filename="membres",
            fmt=fmt,
            headers=["slug", "legal_name_fr", "legal_name_ar", "ice", "commune", "sector", "cooperators"],
            rows=(
                (o.slug, o.legal_name_fr, o.legal_name_ar, o.ice, str(o.commune or ""), o.sector, o.cooperators_count)  # type: ignore[attr-defined]
                for o in orgs
            ),
        )
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/member_list.html", {"page": page, "q": search})


#: a legal reference that starts by restating the status ("Exonérée de TVA — CGI art. 91…"): shown once, not twice
_VAT_STATUS_PREFIX = re.compile(
    r"^\s*(exon[ée]r[ée]e?s?|assujetti[e]?s?)(\s+(de|à)\s+(la\s+)?tva)?\s*[—–:,;-]*\s*", re.IGNORECASE
)


def vat_reference(reference: str) -> str:
    """The VAT legal reference without a leading restatement of the status it comes after on the page."""
    return _VAT_STATUS_PREFIX.sub("", reference, count=1).strip()


def member_detail(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A member's file; GIE staff and auditors also get the links to its book and audit log, and its history."""
    user: Any = request.user
    org = selectors.organization_get(user=user, slug=org_slug)
    staff = reads_audit(user)  # the roles that see every book (a representative sees neither book page nor audit)
    return render(
        request,
        "members/member_detail.html",
        {
            "org": org,
            "vat_reference": vat_reference(org.vat_legal_reference),
            "has_book": staff and hasattr(org, "book"),  # a member added in the admin has no book until one is opened
            "shows_audit": staff,
            "history": audit_history(user=user, target_type=org._meta.label_lower, target_id=org.pk, limit=20),
        },
    )


def cooperator_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = selectors.organization_get(user=request.user, slug=org_slug)
    search = request.GET.get("q", "").strip()
    cooperators = selectors.cooperator_list(user=request.user, organization=org, search=search)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return table_response(
            filename=f"cooperateurs-{org.slug}",
            fmt=fmt,
            headers=["last_name_fr", "first_name_fr", "full_name_ar", "gender", "function", "cin", "phone",
                     "birth_year", "data_consent", "data_consent_on", "erased_on"],
            rows=(
                (c.last_name_fr, c.first_name_fr, c.full_name_ar, c.gender, c.function, c.cin, c.phone,
                 c.birth_year or "", "oui" if c.data_consent else "non", c.data_consent_on or "", c.erased_on or "")
                for c in cooperators
            ),
        )  # fmt: skip
    page = Paginator(cooperators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/cooperator_list.html", {"org": org, "page": page, "q": search})


class PersonalDataForm(forms.Form):
    """A person's birth year (enough for age bands) and consent to keep and use their data, with its date."""

    birth_year = forms.IntegerField(
        label=gettext_lazy("Année de naissance"),
        required=False,
        min_value=services.FIRST_BIRTH_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1980"}),
    )
    data_consent = forms.BooleanField(
        label=gettext_lazy("La personne consent à ce que ses données soient gardées et utilisées"), required=False
    )
    data_consent_on = forms.DateField(
        label=gettext_lazy("Consentement donné le"),
        required=False,
        help_text=gettext_lazy("Aujourd'hui si vide."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["birth_year"].widget.attrs["max"] = str(today.year)

    def clean_birth_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("birth_year")
        if year is not None and year > self.today.year:
            raise ValidationError(_("Au plus %(year)s."), params={"year": self.today.year})
        return year

    def clean_data_consent_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("data_consent_on")
        if day is not None and not date(services.FIRST_BIRTH_YEAR, 1, 1) <= day <= self.today:
            raise ValidationError(_("Une date passée, au plus aujourd'hui."))
        return day


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif (la demande de la personne : date, forme)"),
        max_length=200,
        help_text=gettext_lazy("N'écrivez pas le nom de la personne : le motif reste au journal."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Je comprends que l'effacement est définitif et ne peut pas être annulé."), required=True
    )


def _personal_form(cooperator: Cooperator, data: Any = None) -> PersonalDataForm:
    initial = {
        "birth_year": cooperator.birth_year,
        "data_consent": cooperator.data_consent,
        "data_consent_on": cooperator.data_consent_on,
    }
    return PersonalDataForm(data, initial=initial, today=timezone.localdate())


def _detail(request: HttpRequest, cooperator: Cooperator, form: PersonalDataForm | None = None) -> HttpResponse:
    user: Any = request.user
    writes = not cooperator.erased_on and (user.is_superuser or may_write(user.role))
    return render(
        request,
        "members/cooperator_detail.html",
        {
            "cooperator": cooperator,
            "personal_form": (form or _personal_form(cooperator)) if writes else None,
            "may_erase": writes,
            "history": audit_history(user=user, target_type=cooperator._meta.label_lower, target_id=cooperator.pk),
        },
    )


def cooperator_detail(request: HttpRequest, cooperator_id: int) -> HttpResponse:
    cooperator = selectors.cooperator_get(user=request.user, cooperator_id=cooperator_id)
    return _detail(request, cooperator)


@role_required(*WRITE_ROLES)
@require_POST
def cooperator_personal_data(request: HttpRequest, cooperator_id: int) -> HttpResponse:
    """Birth year and consent, from the cooperator's page; a refusal shows the page again with what was typed."""
    cooperator = selectors.cooperator_get(user=request.user, cooperator_id=cooperator_id)
    form = _personal_form(cooperator, request.POST)
    if not form.is_valid():
        messages.error(request, _("Rien n'est enregistré : corrigez les champs signalés."))
        return _detail(request, cooperator, form)
    try:
        services.cooperator_personal_data_set(
            cooperator=cooperator,
            acting_user=request.user,
            birth_year=form.cleaned_data["birth_year"],
            data_consent=form.cleaned_data["data_consent"],
            data_consent_on=form.cleaned_data["data_consent_on"],
            today=form.today,
        )
    except DomainError as error:
        messages.error(request, error.message())
        return _detail(request, cooperator, form)
    messages.success(request, _("Données personnelles enregistrées."))
    return redirect("members:cooperator", cooperator_id=cooperator.pk)


@role_required(*WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def cooperator_erase(request: HttpRequest, cooperator_id: int) -> HttpResponse:
    """Erasure on request (law 09-08): a page that says it is final, then the service."""
    cooperator = selectors.cooperator_get(user=request.user, cooperator_id=cooperator_id)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not cooperator.erased_on:
        try:
            services.cooperator_erase(
                cooperator=cooperator, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("Les données de la personne sont effacées."))
            return redirect("members:cooperator", cooperator_id=cooperator.pk)
    return render(request, "members/cooperator_erase.html", {"cooperator": cooperator, "form": form})
