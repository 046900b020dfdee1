"""Reads of member data, always scoped to what the acting user may see. A miss is a 404, never a 403."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gie_erp.core.roles import sees_all_books
from members.models import Cooperator, Organization


def organization_qs_visible(*, user: Any) -> QuerySet[Organization]:
    """The books this user may read: all for GIE staff and auditors, its own for a representative, else none."""
    qs = Organization.objects.select_related("commune__province")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or sees_all_books(user.role):
        return qs
    if user.organization_id is not None:
        return qs.filter(pk=user.organization_id)
    return qs.none()


def organization_list(*, user: Any, search: str = "", kind: str = "") -> QuerySet[Organization]:
    qs = organization_qs_visible(user=user).annotate(
        cooperators_count=Count("cooperators", filter=Q(cooperators__is_active=True))
    )
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(
            Q(legal_name_fr__icontains=search)
            | Q(legal_name_ar__icontains=search)
            | Q(ice__startswith=search)
            | Q(slug__icontains=search)
        )
    return qs


def organization_get(*, user: Any, slug: str) -> Organization:
    try:
        return organization_qs_visible(user=user).get(slug=slug)
    except Organization.DoesNotExist:
        raise Http404 from None


def cooperator_list(*, user: Any, organization: Organization, search: str = "") -> QuerySet[Cooperator]:
    visible = organization_qs_visible(user=user)
    qs = Cooperator.objects.filter(organization__in=visible, organization=organization)
    if search:
        qs = qs.filter(
            Q(first_name_fr__icontains=search)
            | Q(last_name_fr__icontains=search)
            | Q(full_name_ar__icontains=search)
            | Q(cin__iexact=search)
        )
    return qs


def cooperator_get(*, user: Any, cooperator_id: int) -> Cooperator:
    try:
        return Cooperator.objects.select_related("organization").get(
            pk=cooperator_id, organization__in=organization_qs_visible(user=user)
        )
    except Cooperator.DoesNotExist:
        raise Http404 from None
