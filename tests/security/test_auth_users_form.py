"""The Utilisateurs page (security finding 5 and issue 10 item 7): Django's password validators, a taken username
refused on creation (never a silent change of that account), no renaming on edition, the least-privileged role by
default, and no way for a GIE administrator to take over a superuser."""

from typing import Any

import pytest
from django.test import Client

from gie_erp.core.errors import DomainError
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from members.models import User
from members.services import ADMIN_GROUP, user_create, user_upsert
from tests.factories.members import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss_client(client: Client) -> Client:
    boss, _ = user_upsert(acting_user=None, username="boss", password="pw-12345678", role=Role.GIE_ADMIN)
    client.force_login(boss)
    return client


def new_user(**extra: Any) -> dict[str, Any]:
    return {
        "username": "karim",
        "first_name": "Karim",
        "last_name": "Bennani",
        "role": "gie_accountant",
        "preferred_language": "fr",
        "password": "lune-cedre-tanger-2026",
        **extra,
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "Ce mot de passe est trop courant."),
        ("12345678", "Ce mot de passe est entièrement numérique."),
        ("karim", "Ce mot de passe est trop court."),
        ("karim2026", "Le mot de passe est trop semblable au champ « nom d’utilisateur »."),
        ("bennani2026", "Le mot de passe est trop semblable au champ « nom »."),
        ("short", "Ce mot de passe est trop court."),
    ],
)
def test_weak_passwords_are_refused_on_creation(boss_client: Client, password: str, message: str) -> None:
    response = boss_client.post("/users/new/", new_user(password=password))
    assert response.status_code == 200
    assert message in response.content.decode().replace("\xa0", " ")  # Django's French puts no-break spaces in « »
    assert not User.objects.filter(username="karim").exists()


def test_a_weak_password_is_refused_on_reset(boss_client: Client) -> None:
    karim = UserFactory(username="karim", password="lune-cedre-tanger-2026")
    response = boss_client.post(f"/users/{karim.pk}/", new_user(password="12345678"))
    assert response.status_code == 200
    assert "Ce mot de passe est entièrement numérique." in response.content.decode()
    karim.refresh_from_db()
    assert karim.check_password("lune-cedre-tanger-2026")
    assert not AuditEvent.objects.filter(event="user.password_reset").exists()


def test_the_password_rules_are_shown(boss_client: Client) -> None:
    body = boss_client.get("/users/new/").content.decode()
    assert "Votre mot de passe doit contenir au minimum 8 caractères." in body


def test_a_good_password_creates_the_user(boss_client: Client) -> None:
    assert boss_client.post("/users/new/", new_user()).status_code == 302
    karim = User.objects.get(username="karim")
    assert (karim.role, karim.is_staff) == (Role.GIE_ACCOUNTANT, False)
    assert karim.check_password("lune-cedre-tanger-2026")
    assert AuditEvent.objects.filter(event="user.created", target_id=str(karim.pk)).count() == 1


@pytest.mark.parametrize("username", ["comptable", "Comptable"])
def test_creating_a_taken_username_is_refused_and_changes_nothing(
    boss_client: Client, coop_a: Any, username: str
) -> None:
    existing = UserFactory(username="comptable", role=Role.GIE_ACCOUNTANT, first_name="Nadia", password="old-pass-x1")
    response = boss_client.post(
        "/users/new/",
        new_user(username=username, role="coop_representative", organization=coop_a.slug, first_name="Autre"),
    )
    assert response.status_code == 200
    assert "Cet identifiant est déjà utilisé : choisissez-en un autre." in response.content.decode()
    existing.refresh_from_db()
    assert (existing.role, existing.organization, existing.first_name) == (Role.GIE_ACCOUNTANT, None, "Nadia")
    assert existing.check_password("old-pass-x1")
    assert User.objects.filter(username__iexact="comptable").count() == 1
    assert (
        not AuditEvent.objects.filter(event__startswith="user.")
        .exclude(target_id=str(existing.pk))
        .filter(event="user.updated")
        .exists()
    )


def test_the_service_refuses_a_taken_username_too() -> None:
    UserFactory(username="comptable", role=Role.GIE_ACCOUNTANT)
    with pytest.raises(DomainError) as refused:
        user_create(acting_user=None, username="comptable", password="x" * 12, role=Role.GIE_ADMIN)
    assert "comptable" in refused.value.message("fr")
    assert User.objects.get(username="comptable").role == Role.GIE_ACCOUNTANT


def test_editing_never_renames_nor_creates_another_login(boss_client: Client) -> None:
    karim = UserFactory(username="karim", role=Role.GIE_ACCOUNTANT)
    response = boss_client.post(f"/users/{karim.pk}/", new_user(username="someone-else", role="auditor", password=""))
    assert response.status_code == 302
    karim.refresh_from_db()
    assert (karim.username, karim.role) == ("karim", Role.AUDITOR)
    assert not User.objects.filter(username="someone-else").exists()
    event = AuditEvent.objects.get(event="user.updated", target_id=str(karim.pk))
    assert event.data["fields"] == ["role", "first_name", "last_name"]


def test_promoting_and_demoting_keeps_the_admin_rights_in_step(boss_client: Client) -> None:
    karim = UserFactory(username="karim", role=Role.GIE_ACCOUNTANT)
    boss_client.post(f"/users/{karim.pk}/", new_user(role="gie_admin", password=""))
    karim.refresh_from_db()
    assert karim.is_staff
    assert karim.groups.filter(name=ADMIN_GROUP).exists()
    boss_client.post(f"/users/{karim.pk}/", new_user(role="auditor", password=""))
    karim.refresh_from_db()
    assert not karim.is_staff
    assert not karim.groups.exists()


def test_the_new_user_page_offers_the_least_privileged_role(boss_client: Client) -> None:
    body = boss_client.get("/users/new/").content.decode()
    assert '<option value="coop_representative" selected>' in body
    assert '<option value="gie_admin" selected>' not in body


def test_submitting_the_default_role_without_a_cooperative_is_refused(boss_client: Client) -> None:
    response = boss_client.post("/users/new/", new_user(role="coop_representative"))
    assert response.status_code == 200
    assert "Un représentant est lié à une coopérative." in response.content.decode()
    assert not User.objects.filter(username="karim").exists()


def test_a_gie_administrator_cannot_take_over_a_superuser(boss_client: Client) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True, password="root-secret-pass-1")
    assert boss_client.get(f"/users/{root.pk}/").status_code == 403
    response = boss_client.post(f"/users/{root.pk}/", new_user(username="root", password="taken-over-pass-9"))
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("root-secret-pass-1")
