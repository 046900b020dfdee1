"""Writes of member data: one function per business action, each in its own transaction with an audit row."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from gie_erp.core.audit import audit_record
from gie_erp.core.roles import Role
from members.models import Organization, User


@transaction.atomic
def organization_upsert(*, acting_user: Any, slug: str, defaults: dict[str, Any]) -> tuple[Organization, bool]:
    """Create the organization with this slug, or update its fields; audited only when something changed."""
    org, created = Organization.objects.get_or_create(slug=slug, defaults=defaults)
    changed = created
    if not created:
        for name, value in defaults.items():
            if getattr(org, name) != value:
                setattr(org, name, value)
                changed = True
        if changed:
            org.full_clean()
            org.save()
    if changed:
        audit_record(
            actor=acting_user,
            event="organization.created" if created else "organization.updated",
            target=org,
            tenant_id=org.pk,
        )
    return org, created


ADMIN_GROUP = "GIE administrators"
ADMIN_APPS = ("members", "ledger", "invoices", "sales", "training")


def _admin_group() -> Group:
    """The Django-admin rights of the GIE administrator: the GIE's own settings and reference data."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    wanted = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    if group.permissions.count() != wanted.count():
        group.permissions.set(wanted)
    return group


def _sync_admin_rights(user: User) -> None:
    if user.role == Role.GIE_ADMIN:
        user.groups.add(_admin_group())
    else:
        user.groups.remove(*Group.objects.filter(name=ADMIN_GROUP))


@transaction.atomic
def user_upsert(
    *,
    acting_user: Any,
    username: str,
    password: str,
    role: Role,
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "fr",
) -> tuple[User, bool]:
    """Create a login with its role, or bring an existing one to the given role (password set only on creation)."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "organization": organization,
            "first_name": first_name,
            "last_name": last_name,
            "preferred_language": preferred_language,
            "is_staff": role == Role.GIE_ADMIN,
            "is_superuser": False,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
        _sync_admin_rights(user)
        audit_record(actor=acting_user, event="user.created", target=user, data={"role": role})
    else:
        changes = {
            "role": role,
            "organization": organization,
            "first_name": first_name or user.first_name,
            "last_name": last_name or user.last_name,
            "preferred_language": preferred_language,
        }
        changed = [name for name, value in changes.items() if getattr(user, name) != value]
        if changed:
            for name in changed:
                setattr(user, name, changes[name])
            user.is_staff = user.role == Role.GIE_ADMIN
            user.save(update_fields=[*changed, "is_staff"])
            _sync_admin_rights(user)
            audit_record(actor=acting_user, event="user.updated", target=user, data={"role": role, "fields": changed})
    return user, created


@transaction.atomic
def user_password_reset(*, acting_user: Any, user: User, password: str) -> None:
    """An administrator sets a new password for a user who forgot theirs (the user is told it by the GIE)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=acting_user, event="user.password_reset", target=user)
