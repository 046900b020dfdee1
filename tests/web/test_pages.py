"""Main pages: bounded queries whatever the number of books, onboarding, admin settings."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gie_erp.core.roles import Role
from invoices.models import VatRate
from ledger.books import book_ensure
from ledger.models import Book, PostingRule
from members.models import Organization
from tests.factories.members import OrganizationFactory, UserFactory, valid_ice
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db


def _books_with_entries(count: int) -> list[Any]:
    books = []
    for n in range(count):
        book = book_ensure(organization=OrganizationFactory())
        post(book, date(2026, 3, 2), f"q{n}", dr("5161", "10.00"), cr("7121", "10.00"))
        post(book, date(2026, 3, 3), f"r{n}", dr("3488", "4.00"), cr("7121", "4.00"))
        books.append(book)
    return books


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_number_of_books(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    _books_with_entries(3)
    few = _queries(client, "/")
    _books_with_entries(9)
    many = _queries(client, "/")
    assert many == few
    assert many <= 16


def test_dashboard_figures(client: Any, accountant: Any, gie: Any) -> None:
    client.force_login(accountant)
    book = _books_with_entries(1)[0]
    body = client.get("/").content.decode()
    assert book.organization.legal_name_fr in body
    assert "10,00" in body  # cash
    assert "4,00" in body  # the GIE owes it (3488)


def test_book_pages_have_bounded_queries(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    book = _books_with_entries(1)[0]
    slug = book.organization.slug
    for n in range(30):
        post(book, date(2026, 4, 1 + n % 28), f"more{n}", dr("5141", "1.00"), cr("7121", "1.00"))
    pages = {
        f"/books/{slug}/entries/": 12,
        f"/books/{slug}/trial-balance/?start=2026-01-01&end=2026-12-31": 8,
        f"/books/{slug}/ledger/5141/?start=2026-01-01&end=2026-12-31": 10,
        f"/books/{slug}/bilan/?end=2026-06-30": 8,
        f"/books/{slug}/cpc/?start=2026-01-01&end=2026-12-31": 8,
    }
    for url, ceiling in pages.items():
        assert _queries(client, url) <= ceiling, url


def test_importing_members_opens_their_books(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    content = (
        "slug,legal_name_fr,legal_name_ar,ice,commune\n"
        f"coop-new,Coopérative Nouvelle,تعاونية جديدة,{valid_ice(501)},Tétouan\n"
    ).encode()
    upload = io.BytesIO(content)
    upload.name = "m.csv"
    response = client.post("/members/import/", {"kind": "members", "file": upload})
    assert response.status_code == 302
    org = Organization.objects.get(slug="coop-new")
    assert Book.objects.filter(organization=org).exists()


def test_reserved_slugs_are_refused(accountant: Any) -> None:
    from gie_erp.core.imports import ImportRefused
    from members.imports import members_import

    content = f"slug,legal_name_fr,legal_name_ar,ice,commune\nimport,X,س,{valid_ice(502)},Tanger\n".encode()
    with pytest.raises(ImportRefused):
        members_import(filename="m.csv", content=content, acting_user=accountant)


def test_gie_admin_edits_posting_rules_and_vat_in_the_admin(client: Any) -> None:
    from members.services import user_upsert

    admin, _ = user_upsert(acting_user=None, username="boss", password="pw-12345678", role=Role.GIE_ADMIN)
    client.force_login(admin)
    assert client.get("/admin/ledger/postingrule/").status_code == 200
    assert client.get("/admin/invoices/vatrate/").status_code == 200
    assert PostingRule.objects.get(event="fair_sale", side="member").credit_account == "7121"
    assert VatRate.objects.get(code="normal-20").rate == Decimal("0.2000")
    rule = PostingRule.objects.get(event="fair_commission", side="gie")
    response = client.post(
        f"/admin/ledger/postingrule/{rule.pk}/change/",
        {"event": rule.event, "side": rule.side, "debit_account": "4463", "credit_account": "99999",
         "vat_account": "4455", "note": "x"},
    )  # fmt: skip
    assert response.status_code == 200  # the form comes back with the error
    assert "Compte inconnu du plan comptable" in response.content.decode()
    accountant = UserFactory(role="gie_accountant", is_staff=False)
    client.force_login(accountant)
    assert client.get("/admin/ledger/postingrule/").status_code == 302  # not staff: sent to the admin login


def test_gie_admin_creates_a_representative_and_resets_a_password(client: Any, coop_a: Any) -> None:
    from members.models import User
    from members.services import user_upsert

    admin, _ = user_upsert(acting_user=None, username="boss", password="pw-12345678", role=Role.GIE_ADMIN)
    client.force_login(admin)
    response = client.post(
        "/users/new/",
        {"username": "rep-new", "role": "coop_representative", "organization": coop_a.slug,
         "preferred_language": "ar", "password": "first-pass-1"},
    )  # fmt: skip
    assert response.status_code == 302
    rep = User.objects.get(username="rep-new")
    assert (rep.organization, rep.preferred_language) == (coop_a, "ar")
    response = client.post(
        f"/users/{rep.pk}/",
        {"username": "rep-new", "role": "coop_representative", "organization": coop_a.slug,
         "preferred_language": "ar", "password": "second-pass-2"},
    )  # fmt: skip
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("second-pass-2")
    from gie_erp.core.models import AuditEvent

    assert AuditEvent.objects.filter(event="user.password_reset", target_id=str(rep.pk)).count() == 1


def test_lists_export_to_csv_and_xlsx(client: Any, coop_a: Any) -> None:
    from members.services import user_upsert

    admin, _ = user_upsert(acting_user=None, username="boss", password="pw-12345678", role=Role.GIE_ADMIN)
    client.force_login(admin)
    response = client.get("/users/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "boss,,,gie_admin,,fr,oui" in response.content.decode("utf-8-sig")  # yes/no reads oui/non
    response = client.get("/members/?export=xlsx")
    assert response.content[:2] == b"PK"  # an XLSX is a zip
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("slug", "legal_name_fr", "legal_name_ar")
    assert ("coop-a", "Coopérative Alpha", "تعاونية ألفا") in [r[:3] for r in rows]
