"""Catalogue pages: themes, courses, trainers, funders and their grants (GIE staff). The staff and the auditor read;
the administrator and the accountant write, through ``training/catalogue.py``. Nothing used is deleted: a course
or a trainer leaves the lists by being deactivated. The funders' list and page with their money are
``training.views.funders``."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.pictograms import SOURCES
from training import catalogue as services
from training.forms import (
    PICTOGRAM_LABELS,
    CourseForm,
    FunderForm,
    GrantForm,
    ThemeForm,
    TrainerForm,
    vat_labels,
)
from training.models import Course, Funder, Grant, Theme, Trainer
from training.selectors import is_manager
from training.views.sessions import PAGE_SIZE, READ, WRITE, export_format, query_without

ACTIVE_FILTERS = {"1": True, "0": False}


def _get_or_404(queryset: QuerySet[Any], **lookup: Any) -> Any:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def _courses(request: HttpRequest) -> QuerySet[Course]:
    courses = Course.objects.select_related("theme").annotate(session_count=Count("sessions"))
    query = request.GET.get("q", "").strip()[:100]
    if query:
        courses = courses.filter(
            Q(title_fr__icontains=query)
            | Q(title_ar__icontains=query)
            | Q(slug__icontains=query)
            | Q(theme__name_fr__icontains=query)
            | Q(theme__name_ar__icontains=query)
        )
    theme = request.GET.get("theme", "")
    if theme:
        courses = courses.filter(theme__slug=theme)
    active = ACTIVE_FILTERS.get(request.GET.get("active", ""))
    if active is not None:
        courses = courses.filter(is_active=active)
    return courses.order_by("theme__name_fr", "title_fr", "pk")


def _course_rows(courses: QuerySet[Course]) -> Iterator[Sequence[Any]]:
    yes, no = _("oui"), _("non")
    labels = vat_labels()
    for course in courses:
        yield (
            course.theme.name_fr,
            course.slug,
            course.title_fr,
            course.title_ar,
            course.duration_hours,
            labels.get(course.vat_code, course.vat_code),
            course.session_count,  # type: ignore[attr-defined]
            yes if course.is_active else no,
        )


@role_required(*READ)
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Themes and courses, with a search; the courses as CSV/XLSX."""
    courses = _courses(request)
    fmt = export_format(request)
    if fmt:
        headers = [_("Thème"), _("Nom court"), _("Intitulé (français)"), _("Intitulé (arabe)"), _("Durée (heures)"),
                   _("TVA des frais"), _("Sessions"), _("Au catalogue")]  # fmt: skip
        return table_response(
            filename="formations", fmt=fmt, headers=headers, rows=_course_rows(courses), sheet_name=_("Formations")
        )
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    themes = Theme.objects.annotate(course_count=Count("courses")).order_by("name_fr")
    return render(
        request,
        "training/catalogue/list.html",
        {
            "page": page,
            "themes": themes,
            "query": query_without(request),
            "q": request.GET.get("q", ""),
            "theme": request.GET.get("theme", ""),
            "active": request.GET.get("active", ""),
            "can_write": is_manager(request.user),
            "vat_labels": vat_labels(),
            "pictograms": SOURCES,
        },
    )


def _saved(request: HttpRequest, name: str) -> None:
    messages.success(request, _("%(name)s enregistré.") % {"name": name})


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, context, status=200)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, theme_slug: str | None = None) -> HttpResponse:
    theme = _get_or_404(Theme.objects.all(), slug=theme_slug) if theme_slug is not None else None
    form = ThemeForm(request.POST or None, instance=theme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.theme_save(theme=theme, data=form.data_for_service(), acting_user=request.user)
        except DomainError as error:
            form.add_error(None, error.message())
        else:
            _saved(request, saved.name_fr)
            return redirect("training:catalogue")
    title = theme.name_fr if theme else _("Nouveau thème")
    return _form_page(request, "training/catalogue/form.html", {"form": form, "title": title, "item": theme})


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_slug: str | None = None) -> HttpResponse:
    course = _get_or_404(Course.objects.all(), slug=course_slug) if course_slug is not None else None
    initial = {"theme": Theme.objects.filter(slug=request.GET.get("theme", "")).first()} if course is None else None
    form = CourseForm(request.POST or None, instance=course, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.course_save(course=course, data=form.data_for_service(), acting_user=request.user)
        except DomainError as error:
            form.add_error(None, error.message())
        else:
            _saved(request, saved.title_fr)
            return redirect("training:catalogue")
    title = course.title_fr if course else _("Nouvelle formation")
    context = {"form": form, "title": title, "item": course, "pictograms": SOURCES, "labels": PICTOGRAM_LABELS}
    return _form_page(request, "training/catalogue/course_form.html", context)


@role_required(*READ)
@require_GET
def trainer_list(request: HttpRequest) -> HttpResponse:
    trainers = Trainer.objects.select_related("user").annotate(session_count=Count("sessions"))
    query = request.GET.get("q", "").strip()[:100]
    if query:
        trainers = trainers.filter(
            Q(name__icontains=query) | Q(phone__icontains=query) | Q(user__username__icontains=query)
        )
    active = ACTIVE_FILTERS.get(request.GET.get("active", ""))
    if active is not None:
        trainers = trainers.filter(is_active=active)
    trainers = trainers.order_by("name", "pk")
    fmt = export_format(request)
    if fmt:
        yes, no = _("oui"), _("non")
        rows = (
            (str(t), t.user.get_username() if t.user else "", t.phone, t.session_count, yes if t.is_active else no)
            for t in trainers
        )
        headers = [_("Nom"), _("Utilisateur"), _("Téléphone"), _("Sessions"), _("Actif")]
        return table_response(filename="formateurs", fmt=fmt, headers=headers, rows=rows, sheet_name=_("Formateurs"))
    page = Paginator(trainers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/catalogue/trainers.html",
        {
            "page": page,
            "query": query_without(request),
            "q": request.GET.get("q", ""),
            "active": request.GET.get("active", ""),
            "can_write": is_manager(request.user),
        },
    )


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def trainer_edit(request: HttpRequest, trainer_id: int | None = None) -> HttpResponse:
    trainer = _get_or_404(Trainer.objects.select_related("user"), pk=trainer_id) if trainer_id is not None else None
    form = TrainerForm(request.POST or None, instance=trainer)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.trainer_save(trainer=trainer, data=form.data_for_service(), acting_user=request.user)
        except DomainError as error:
            form.add_error(None, error.message())
        else:
            _saved(request, str(saved))
            return redirect("training:trainer_list")
    title = str(trainer) if trainer else _("Nouveau formateur")
    return _form_page(request, "training/catalogue/form.html", {"form": form, "title": title, "item": trainer})


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def funder_edit(request: HttpRequest, funder_slug: str | None = None) -> HttpResponse:
    funder = _get_or_404(Funder.objects.all(), slug=funder_slug) if funder_slug is not None else None
    form = FunderForm(request.POST or None, instance=funder)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.funder_save(funder=funder, data=form.data_for_service(), acting_user=request.user)
        except DomainError as error:
            form.add_error(None, error.message())
        else:
            _saved(request, saved.name_fr)
            return redirect("training:funder_edit", funder_slug=saved.slug)
    grants = Grant.objects.filter(funder=funder).order_by("-starts_on", "reference") if funder else Grant.objects.none()
    title = funder.name_fr if funder else _("Nouveau financeur")
    context = {"form": form, "title": title, "item": funder, "funder": funder, "grants": grants}
    return _form_page(request, "training/catalogue/funder_form.html", context)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, funder_slug: str | None = None, grant_id: int | None = None) -> HttpResponse:
    if grant_id is not None:
        grant = _get_or_404(Grant.objects.select_related("funder"), pk=grant_id)
        funder = grant.funder
    else:
        grant, funder = None, _get_or_404(Funder.objects.all(), slug=funder_slug)
    form = GrantForm(request.POST or None, instance=grant, funder=funder)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.grant_save(
                grant=grant, funder=funder, data=form.data_for_service(), acting_user=request.user
            )
        except DomainError as error:
            form.add_error(None, error.message())
        else:
            _saved(request, saved.reference)
            return redirect("training:funder_edit", funder_slug=funder.slug)
    title = str(grant) if grant else _("Nouvelle convention de %(funder)s") % {"funder": funder.name_fr}
    return _form_page(
        request, "training/catalogue/form.html", {"form": form, "title": title, "item": grant, "funder": funder}
    )


urlpatterns: list[URLPattern] = [
    path("catalogue/", catalogue, name="catalogue"),
    path("catalogue/themes/new/", theme_edit, name="theme_new"),
    path("catalogue/themes/<slug:theme_slug>/edit/", theme_edit, name="theme_edit"),
    path("catalogue/courses/new/", course_edit, name="course_new"),
    path("catalogue/courses/<slug:course_slug>/edit/", course_edit, name="course_edit"),
    path("trainers/", trainer_list, name="trainer_list"),
    path("trainers/new/", trainer_edit, name="trainer_new"),
    path("trainers/<int:trainer_id>/edit/", trainer_edit, name="trainer_edit"),
    path("catalogue/funders/new/", funder_edit, name="funder_new"),
    path("catalogue/funders/<slug:funder_slug>/edit/", funder_edit, name="funder_edit"),
    path("catalogue/funders/<slug:funder_slug>/grants/new/", grant_edit, name="grant_new"),
    path("catalogue/grants/<int:grant_id>/edit/", grant_edit, name="grant_edit"),
]
