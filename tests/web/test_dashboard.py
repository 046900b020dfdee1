"""The accountant's dashboard: accent-blind search (SQLite and PostgreSQL alike), labelled lock squares, the GIE row."""

import re
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from ledger.books import book_ensure
from ledger.services import period_lock
from members import selectors
from members.models import Commune, Organization
from tests.factories.members import OrganizationFactory
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def potters(db: Any) -> Any:
    return OrganizationFactory(
        slug="coop-p1",
        legal_name_fr="Coopérative des Potières d'Oued Laou",
        legal_name_ar="تعاونية الفخارات بواد لاو",
        commune=Commune.objects.get(name_fr="Oued Laou"),
    )


@pytest.fixture
def tetouan_gie(db: Any) -> Any:
    return OrganizationFactory(
        kind=Organization.Kind.GIE,
        slug="gie",
        legal_name_fr="GIE Entreprise Collective Partagée Tanger-Tétouan-Al Hoceima",
        legal_name_ar="المجموعة ذات النفع الاقتصادي طنجة تطوان الحسيمة",
        commune=Commune.objects.get(name_fr="Tanger"),
    )


@pytest.fixture
def plain(db: Any) -> Any:
    return OrganizationFactory(slug="plain", legal_name_fr="Coopérative Amal", legal_name_ar="تعاونية أمل")


def _slugs(accountant: Any, search: str) -> set[str]:
    return set(selectors.organization_list(user=accountant, search=search).values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("potieres", {"coop-p1"}),  # no accent typed, the name has one
        ("POTIÈRES", {"coop-p1"}),  # upper case with an accent (SQLite's LIKE folds ASCII only)
        ("potiéres", {"coop-p1"}),  # the wrong accent
        ("Tetouan", {"gie", "coop-p1"}),  # the GIE's name; the potters' commune is in Tétouan province
        ("tétouan", {"gie", "coop-p1"}),
        ("d'oued", {"coop-p1"}),
        ("d’oued", {"coop-p1"}),  # typographic apostrophe
        ("oued laou", {"coop-p1"}),
        ("امل", {"plain"}),  # alef without hamza finds أمل
        ("أمل", {"plain"}),
        ("الفخارات", {"coop-p1"}),
        ("amal", {"plain"}),
        ("a.+l", set()),  # punctuation is literal, never a pattern
        ("zzz", set()),
    ],
)
def test_search_ignores_accents(
    accountant: Any, potters: Any, tetouan_gie: Any, plain: Any, search: str, expected: set[str]
) -> None:
    assert _slugs(accountant, search) == expected


def test_search_still_finds_ice_and_slug(accountant: Any, potters: Any, plain: Any) -> None:
    assert _slugs(accountant, potters.ice[:6]) >= {"coop-p1"}
    assert _slugs(accountant, "plain") == {"plain"}


def test_the_dashboard_search_box_ignores_accents(client: Any, accountant: Any, potters: Any, plain: Any) -> None:
    client.force_login(accountant)
    body = client.get("/?q=potieres").content.decode()
    assert "Coopérative des Potières d&#x27;Oued Laou" in body
    assert "Coopérative Amal" not in body


def _row(body: str, slug: str) -> str:
    match = re.search(rf'<tr data-slug="{slug}">(.*?)</tr>', body, re.S)
    assert match, slug
    return match.group(1)


def test_the_gie_row_owes_nothing_to_itself(client: Any, accountant: Any, tetouan_gie: Any, coop_a: Any) -> None:
    gie_book, book = book_ensure(organization=tetouan_gie), book_ensure(organization=coop_a)
    day = date(2026, 3, 15)
    post(book, day, "fee", dr("6136", "720.00", tetouan_gie), cr("4488", "720.00", tetouan_gie))
    post(gie_book, day, "fee-g", dr("3463", "720.00", coop_a), cr("71272", "720.00", coop_a))
    post(gie_book, day, "sale-g", dr("5161", "300.00"), cr("4463", "300.00", coop_a))
    client.force_login(accountant)
    body = client.get("/").content.decode()
    gie_cells = re.findall(r"<td[^>]*>(.*?)</td>", _row(body, "gie"), re.S)
    assert gie_cells[4:6] == ["—", "—"]  # neither "the GIE owes it" nor "owes the GIE" on the GIE itself
    coop_cells = re.findall(r"<td[^>]*>(.*?)</td>", _row(body, "coop-a"), re.S)
    assert "720,00" in coop_cells[5]  # the cooperative does owe the GIE
    export = client.get("/?export=csv").content.decode()
    gie_line = next(line for line in export.splitlines() if line.startswith("gie,"))
    assert gie_line.split(",")[5:7] == ["", ""]


def _lock_squares(body: str, slug: str) -> list[tuple[str, str]]:
    """(class, text) of the twelve squares of a row."""
    return re.findall(r'<span class="(m(?: locked)?)"[^>]*>([^<]*)</span>', _row(body, slug))


def test_locked_months_are_labelled_and_explained(client: Any, accountant: Any, coop_a: Any) -> None:
    book = book_ensure(organization=coop_a)
    year = timezone.localdate().year
    for month in (1, 2, 3):
        period_lock(book=book, year=year, month=month, acting_user=accountant)
    client.force_login(accountant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get("/").content.decode()
    squares = _lock_squares(body, "coop-a")
    assert [text for _, text in squares] == list("JFMAMJJASOND")
    assert [cls for cls, _ in squares] == ["m locked"] * 3 + ["m"] * 9
    assert 'title="mars : verrouillé"' in body
    assert 'title="avril : ouvert"' in body
    legend = re.search(r'<p class="legend" id="locks-legend">(.*?)</p>', body, re.S)
    assert legend
    assert "verrouillé" in legend.group(1)
    assert "ouvert" in legend.group(1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = client.get("/").content.decode()
    assert [text for _, text in _lock_squares(body, "coop-a")] == [str(m) for m in range(1, 13)]
    assert 'title="مارس' in body  # the Moroccan month name in the tooltip


def test_the_keyboards_first_stop_skips_the_menu(client: Any, accountant: Any) -> None:
    """The accountant works keyboard only: the first link of every staff page jumps past the 17-link menu to the
    page's content (which takes the focus), in French and in Arabic."""
    client.force_login(accountant)
    body = client.get("/").content.decode()
    first_link = re.search(r"<a [^>]*>[^<]*</a>", body)
    assert first_link is not None
    assert first_link.group(0) == '<a class="skip-link" href="#content">Aller au contenu</a>'
    assert body.index("skip-link") < body.index('<header class="topbar">')
    assert '<main class="content" id="content" tabindex="-1">' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    assert "الانتقال إلى المحتوى</a>" in client.get("/").content.decode()
