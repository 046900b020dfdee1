"""A member's page: its VAT status said once, links to its book, cooperators and audit log for those who may follow
them, its history; the members list offers the import (no longer a top-level menu item)."""

from typing import Any

import pytest

from gie_erp.core.audit import audit_record
from gie_erp.core.roles import Role
from ledger.books import book_ensure
from members.models import Organization
from members.views import vat_reference
from tests.factories.members import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
DEMO_REFERENCE = "Exonérée de TVA — CGI art. 91-IV-1° (coopératives, CA < 10 MDH)"


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        (DEMO_REFERENCE, "CGI art. 91-IV-1° (coopératives, CA < 10 MDH)"),
        ("exoneree de la TVA : art. 91", "art. 91"),
        ("Assujettie à la TVA - régime du réel", "régime du réel"),
        ("Exonérée", ""),
        ("CGI art. 91-IV-1", "CGI art. 91-IV-1"),
        ("Exonération prévue à l'art. 91", "Exonération prévue à l'art. 91"),
        ("", ""),
    ],
)
def test_vat_reference_drops_a_restated_status(reference: str, shown: str) -> None:
    assert vat_reference(reference) == shown


def test_the_vat_status_is_said_once(client: Any, accountant: Any) -> None:
    org = OrganizationFactory(vat_status=Organization.VatStatus.EXEMPT, vat_legal_reference=DEMO_REFERENCE)
    client.force_login(accountant)
    body = client.get(f"/members/{org.slug}/").content.decode()
    assert "Exonérée Exonérée" not in body
    assert body.count("Exonérée") == 1
    assert '<dd id="vat-status">Exonérée — <bdi>CGI art. 91-IV-1° (coopératives, CA &lt; 10 MDH)</bdi></dd>' in body


def test_a_registered_member_says_so(client: Any, accountant: Any) -> None:
    org = OrganizationFactory(vat_status=Organization.VatStatus.REGISTERED, vat_legal_reference="")
    client.force_login(accountant)
    body = client.get(f"/members/{org.slug}/").content.decode()
    assert '<dd id="vat-status">Assujettie</dd>' in body


@pytest.mark.parametrize("role", [Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR])
def test_gie_staff_and_auditors_get_the_book_cooperators_and_audit_links(client: Any, coop_a: Any, role: Role) -> None:
    book_ensure(organization=coop_a)
    client.force_login(UserFactory(role=role))
    body = client.get(f"/members/{coop_a.slug}/").content.decode()
    assert 'href="/books/coop-a/"' in body
    assert 'href="/members/coop-a/cooperators/"' in body
    assert 'href="/audit/?book=coop-a"' in body
    assert client.get("/books/coop-a/").status_code == 200  # the link leads somewhere
    assert client.get("/audit/?book=coop-a").status_code == 200


def test_no_book_link_before_the_book_is_opened(client: Any, accountant: Any, coop_a: Any) -> None:
    client.force_login(accountant)
    body = client.get(f"/members/{coop_a.slug}/").content.decode()
    assert "/books/" not in body.split('id="member-links"', 1)[1].split("</nav>", 1)[0]


def test_a_representative_gets_its_cooperators_but_no_book_nor_audit(client: Any, rep_a: Any, coop_a: Any) -> None:
    book_ensure(organization=coop_a)
    audit_record(actor=None, event="organization.updated", target=coop_a, tenant_id=coop_a.pk)
    client.force_login(rep_a)
    body = client.get(f"/members/{coop_a.slug}/").content.decode()
    assert 'href="/members/coop-a/cooperators/"' in body
    assert "/books/" not in body
    assert "/audit/" not in body
    assert "Organisation modifiée" not in body
    assert client.get("/books/coop-a/").status_code == 403  # what the link would have led to


def test_the_member_page_shows_its_history_to_gie_staff(client: Any, coop_a: Any) -> None:
    admin = UserFactory(role=Role.GIE_ADMIN, first_name="Nadia", last_name="Admin")
    audit_record(actor=admin, event="organization.updated", target=coop_a, tenant_id=coop_a.pk)
    client.force_login(UserFactory(role=Role.AUDITOR))
    body = client.get(f"/members/{coop_a.slug}/").content.decode()
    assert "Historique" in body
    assert "Organisation modifiée" in body
    assert "Nadia Admin" in body


def test_import_is_offered_on_the_members_list_not_in_the_top_menu(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    body = client.get("/members/").content.decode()
    menu = body.split('aria-label="Navigation principale"', 1)[1].split("</nav>", 1)[0]
    assert "/members/import/" not in menu
    assert ">Importer<" not in menu
    assert 'href="/members/"' in menu
    assert 'href="/members/import/"' in body.split("</header>", 1)[1]
    assert "Importer des membres ou des coopérateurs" in body


def test_readers_get_no_import_link(client: Any) -> None:
    client.force_login(UserFactory(role=Role.AUDITOR))
    body = client.get("/members/").content.decode()
    assert "/members/import/" not in body
    assert client.get("/members/import/").status_code == 403
