"""The Django admin (security finding 6): a GIE administrator (staff, not superuser) manages roles, never admin rights
nor superusers; django-ledger's own admin is not on our site; every user saved in the admin is audited."""

from datetime import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from members.models import User
from members.services import ADMIN_GROUP, user_upsert
from tests.factories.members import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db: Any) -> User:
    boss, _ = user_upsert(acting_user=None, username="boss", password="pw-12345678", role=Role.GIE_ADMIN)
    return boss


@pytest.fixture
def root(db: Any) -> User:
    return UserFactory(username="root", is_superuser=True, is_staff=True, role=Role.GIE_ADMIN, password="root-pass-77")


def split_datetime(name: str, value: datetime | None) -> dict[str, str]:
    """The two inputs of an admin date-time field, and the hidden copies of their initial values."""
    local = timezone.localtime(value) if value else None
    parts = {f"{name}_0": f"{local:%Y-%m-%d}" if local else "", f"{name}_1": f"{local:%H:%M:%S}" if local else ""}
    return {**parts, **{f"initial-{key}": part for key, part in parts.items()}}


def change_form(user: User, **extra: Any) -> dict[str, Any]:
    """Everything the admin's user change form posts, as a browser would send it."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        **split_datetime("last_login", user.last_login),
        **split_datetime("date_joined", user.date_joined),
        "role": user.role,
        "organization": "",
        "preferred_language": "fr",
        **extra,
    }


def test_a_gie_administrator_cannot_make_itself_superuser(client: Client, boss: User) -> None:
    client.force_login(boss)
    boss.refresh_from_db()  # its last login
    every_permission = list(Permission.objects.values_list("pk", flat=True)[:5])
    other_group = Group.objects.create(name="everything")
    response = client.post(
        f"/admin/members/user/{boss.pk}/change/",
        change_form(
            boss,
            first_name="Boss",
            is_superuser="on",
            is_staff="on",
            groups=[other_group.pk],
            user_permissions=every_permission,
        ),
    )
    assert response.status_code == 302  # saved: the rights fields were not in the form
    boss.refresh_from_db()
    assert (boss.first_name, boss.is_superuser) == ("Boss", False)
    assert list(boss.groups.values_list("name", flat=True)) == [ADMIN_GROUP]
    assert not boss.user_permissions.exists()
    event = AuditEvent.objects.get(event="user.updated", target_id=str(boss.pk))
    assert event.actor_id == boss.pk
    assert event.data["fields"] == ["first_name"]
    assert (event.data["is_superuser"], event.data["via"]) == (False, "admin")


def test_a_gie_administrator_does_not_see_the_rights_fields(client: Client, boss: User) -> None:
    client.force_login(boss)
    body = client.get(f"/admin/members/user/{boss.pk}/change/").content.decode()
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in body, field
    assert 'name="role"' in body
    assert 'name="is_active"' in body


def test_a_superuser_sees_and_sets_the_rights_fields_audited(client: Client, root: User) -> None:
    karim = UserFactory(username="karim", role=Role.GIE_ACCOUNTANT)
    client.force_login(root)
    body = client.get(f"/admin/members/user/{karim.pk}/change/").content.decode()
    assert 'name="is_superuser"' in body
    response = client.post(f"/admin/members/user/{karim.pk}/change/", change_form(karim, is_superuser="on"))
    assert response.status_code == 302
    karim.refresh_from_db()
    assert (karim.is_superuser, karim.is_staff) == (True, False)  # the role did not change: staff untouched
    event = AuditEvent.objects.get(event="user.updated", target_id=str(karim.pk))
    assert (event.actor_id, event.data["fields"], event.data["is_superuser"]) == (root.pk, ["is_superuser"], True)


def test_a_role_change_in_the_admin_moves_the_admin_rights_and_is_audited(client: Client, boss: User) -> None:
    other, _ = user_upsert(acting_user=None, username="other-admin", password="pw-12345678", role=Role.GIE_ADMIN)
    client.force_login(boss)
    response = client.post(f"/admin/members/user/{other.pk}/change/", change_form(other, role="auditor"))
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.role, other.is_staff, other.groups.exists()) == (Role.AUDITOR, False, False)
    event = AuditEvent.objects.get(event="user.updated", target_id=str(other.pk), data__via="admin")
    assert (event.data["fields"], event.data["role"], event.data["is_staff"]) == (["role"], "auditor", False)


def test_a_gie_administrator_cannot_change_nor_delete_a_superuser(client: Client, boss: User, root: User) -> None:
    client.force_login(boss)
    response = client.post(f"/admin/members/user/{root.pk}/change/", change_form(root, first_name="pwned"))
    assert response.status_code == 403
    response = client.post(
        f"/admin/members/user/{root.pk}/password/",
        {"password1": "taken-over-pass-9", "password2": "taken-over-pass-9", "usable_password": "true"},
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/members/user/", {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert (root.first_name, root.check_password("root-pass-77")) == ("", True)
    assert User.objects.filter(pk=root.pk).exists()


def test_a_user_added_in_the_admin_gets_its_role_rights_and_an_audit_row(client: Client, boss: User) -> None:
    client.force_login(boss)
    response = client.post(
        "/admin/members/user/add/",
        {"username": "new-admin", "usable_password": "true", "password1": "lune-cedre-tanger-2026",
         "password2": "lune-cedre-tanger-2026", "role": "gie_admin", "organization": "", "preferred_language": "fr",
         "is_superuser": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    created = User.objects.get(username="new-admin")
    assert (created.is_superuser, created.is_staff) == (False, True)
    assert created.groups.filter(name=ADMIN_GROUP).exists()
    assert AuditEvent.objects.get(event="user.created", target_id=str(created.pk)).data["via"] == "admin"


def test_django_ledger_models_are_not_on_our_admin_site() -> None:
    assert [m for m in admin.site._registry if m._meta.app_label == "django_ledger"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/django_ledger/",
        "/admin/django_ledger/entitymodel/",
        "/admin/django_ledger/chartofaccountmodel/",
        "/admin/django_ledger/ledgermodel/",
        "/admin/django_ledger/entitymodel/1/change/",
    ],
)
def test_django_ledger_admin_urls_answer_404_even_to_a_superuser(client: Client, root: User, url: str) -> None:
    client.force_login(root)
    assert client.get(url).status_code == 404
