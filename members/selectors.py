"""Reads of member data, always scoped to what the acting user may see. A miss is a 404, never a 403."""

import unicodedata
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


#: What a letter of a search stands for: its accented forms in both cases (PostgreSQL's ~* folds the case of
#: non-ASCII letters only under some locales; SQLite's LIKE never does), the two apostrophes, the alef with or
#: without hamza or madda, final yaa / alef maqsura, haa / taa marbuta.
_SEARCH_CLASSES = {
    "a": "aàâäáãåAÀÂÄÁÃÅ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïíìIÎÏÍÌ",
    "n": "nñNÑ",
    "o": "oôöóòõOÔÖÓÒÕ",
    "u": "uùûüúUÙÛÜÚ",
    "y": "yÿYŸ",
    "'": "'’‘`´",
    "ا": "اأإآٱ",
    "ي": "يى",
    "ه": "هة",
}
_SEARCH_FOLD = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ى": "ي", "ة": "ه", "ٱ": "ا"})
SEARCH_MAX_LENGTH = 100


def search_pattern(search: str) -> str:
    """A regular expression that finds ``search`` whatever its accents and case: "potieres" finds "Potières",
    "امل" finds "أمل".

    The same text is read by Python's ``re`` (SQLite's REGEXP) and PostgreSQL's ``~*``, with no extension: only
    letters, bracket classes of letters, and other characters escaped with a backslash (literal in both).
    """
    folded = unicodedata.normalize("NFKD", search[:SEARCH_MAX_LENGTH].casefold().translate(_SEARCH_FOLD))
    parts = []
    for char in folded:
        if unicodedata.combining(char):
            continue  # the accent (or hamza, madda, short vowel) just split off its letter
        if char in _SEARCH_CLASSES:
            parts.append(f"[{_SEARCH_CLASSES[char]}]")
        elif char.isalnum():
            parts.append(char)
        else:
            parts.append("\\" + char)
    return "".join(parts)


def organization_list(*, user: Any, search: str = "", kind: str = "") -> QuerySet[Organization]:
    """Organizations this user may see; ``search`` looks in the names (French, Arabic), the commune and province,
    ignoring accents and case, and at the start of the ICE and inside the slug."""
    qs = organization_qs_visible(user=user).annotate(
        cooperators_count=Count("cooperators", filter=Q(cooperators__is_active=True))
    )
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        pattern = search_pattern(search)
        qs = qs.filter(
            Q(legal_name_fr__iregex=pattern)
            | Q(legal_name_ar__iregex=pattern)
            | Q(commune__name_fr__iregex=pattern)
            | Q(commune__name_ar__iregex=pattern)
            | Q(commune__province__name_fr__iregex=pattern)
            | Q(commune__province__name_ar__iregex=pattern)
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
