"""Writes of member data: one function per business action, each in its own transaction with an audit row."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.roles import Role
from members.models import Cooperator, Organization, User


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
    """The role decides the Django-admin rights: staff and the admin group for a GIE administrator only."""
    if user.role == Role.GIE_ADMIN:
        user.groups.add(_admin_group())
    else:
        user.groups.remove(*Group.objects.filter(name=ADMIN_GROUP))


def _username_taken(username: str) -> DomainError:
    return DomainError(ErrorCode.IMPORT_DUPLICATE, field=_("identifiant"), value=username)


@transaction.atomic
def user_create(
    *,
    acting_user: Any,
    username: str,
    password: str,
    role: Role,
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "fr",
) -> User:
    """Create a new login with its role; an existing username (in any letter case) is refused, never changed."""
    if User.objects.filter(username__iexact=username).exists():
        raise _username_taken(username)
    user, created = User.objects.get_or_create(  # unique username: a concurrent creation loses here
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
    if not created:
        raise _username_taken(username)
    user.set_password(password)
    user.save(update_fields=["password"])
    _sync_admin_rights(user)
    audit_record(actor=acting_user, event="user.created", target=user, data={"role": role})
    return user


def _user_apply(*, acting_user: Any, user: User, changes: dict[str, Any]) -> list[str]:
    """Set the fields that differ, keep staff and the admin group in step with the role, audit; the changed names."""
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, changes[name])
        user.is_staff = user.role == Role.GIE_ADMIN or user.is_superuser
        user.save(update_fields=[*changed, "is_staff"])
        _sync_admin_rights(user)
        audit_record(actor=acting_user, event="user.updated", target=user, data={"role": user.role, "fields": changed})
    return changed


@transaction.atomic
def user_update(
    *,
    acting_user: Any,
    user: User,
    role: Role,
    organization: Organization | None,
    first_name: str,
    last_name: str,
    preferred_language: str,
    password: str = "",
) -> User:
    """Change the role, names and language of an existing login (never its username); a password resets it."""
    _user_apply(
        acting_user=acting_user,
        user=user,
        changes={
            "role": role,
            "organization": organization,
            "first_name": first_name,
            "last_name": last_name,
            "preferred_language": preferred_language,
        },
    )
    if password:
        user_password_reset(acting_user=acting_user, user=user, password=password)
    return user


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
    """Seeding only (``seed_demo``): create the login, or bring an existing one to the given role, idempotently.

    The password is set only on creation. People's logins are created with ``user_create`` (which refuses a taken
    username) and changed with ``user_update``.
    """
    user = User.objects.filter(username=username).first()
    if user is None:
        return user_create(
            acting_user=acting_user,
            username=username,
            password=password,
            role=role,
            organization=organization,
            first_name=first_name,
            last_name=last_name,
            preferred_language=preferred_language,
        ), True
    changes = {
        "role": role,
        "organization": organization,
        "first_name": first_name or user.first_name,
        "last_name": last_name or user.last_name,
        "preferred_language": preferred_language,
    }
    _user_apply(acting_user=acting_user, user=user, changes=changes)
    return user, False


@transaction.atomic
def user_admin_saved(*, acting_user: Any, user: User, changed_fields: Sequence[str], created: bool) -> None:
    """After the Django admin saved a user: the role decides staff and the admin group, and the change is audited.

    Called once the form and its many-to-many fields are saved, in the admin's transaction. Superusers keep staff
    (the admin site is theirs); everyone else is staff exactly when a GIE administrator.
    """
    if created or "role" in changed_fields:
        is_staff = user.role == Role.GIE_ADMIN or user.is_superuser
        if user.is_staff != is_staff:
            user.is_staff = is_staff
            user.save(update_fields=["is_staff"])
        _sync_admin_rights(user)
    if created or changed_fields:
        audit_record(
            actor=acting_user,
            event="user.created" if created else "user.updated",
            target=user,
            data={
                "fields": sorted(changed_fields),
                "role": user.role,
                "is_staff": user.is_staff,
                "is_superuser": user.is_superuser,
                "via": "admin",
            },
        )


@transaction.atomic
def user_locked_out_record(*, username: str, ip_address: str | None, failures: int) -> None:
    """Audit a login lockout (too many failed passwords): the account if it exists, the username and address tried."""
    user = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        event="auth.locked_out",
        target=user,
        data={"username": username, "ip_address": ip_address or "", "failures": failures},
    )


@transaction.atomic
def user_password_reset(*, acting_user: Any, user: User, password: str) -> None:
    """An administrator sets a new password for a user who forgot theirs (the user is told it by the GIE)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=acting_user, event="user.password_reset", target=user)


# --- people's data (law 09-08) ------------------------------------------------------------------------------------

#: What an erased person's names become: a neutral marker (the model wants a French first and last name), in both
#: scripts so that French and Arabic pages, lists and PDFs all show it
ERASED_FIRST_NAME = "Personne"
ERASED_LAST_NAME = "effacée"
ERASED_NAME_AR = "شخص محذوف"
FIRST_BIRTH_YEAR = 1900


def _cooperator_locked(cooperator: Cooperator) -> Cooperator:
    """The cooperator's row, locked and read again (a concurrent erasure must be seen before any change)."""
    locked = Cooperator.objects.select_for_update().get(pk=cooperator.pk)
    if locked.erased_on is not None:
        raise DomainError(ErrorCode.TRAINING_PERSON_ERASED)
    return locked


@transaction.atomic
def cooperator_personal_data_set(
    *,
    cooperator: Cooperator,
    acting_user: Any,
    birth_year: int | None,
    data_consent: bool,
    data_consent_on: date | None = None,
    today: date | None = None,
) -> Cooperator:
    """Set a person's birth year and consent. A consent without a date is dated ``today`` (or keeps the date it
    already had); withdrawing it clears the date. Audited with the names of the fields changed, never their values
    (an erasure must leave no copy of them). An erased person's data no longer changes."""
    today = today or timezone.localdate()
    locked = _cooperator_locked(cooperator)
    if birth_year is not None and not FIRST_BIRTH_YEAR <= birth_year <= today.year:
        raise DomainError(ErrorCode.TRAINING_BAD_BIRTH_YEAR, value=birth_year, last=today.year)
    if not data_consent:
        consent_on = None
    else:
        consent_on = data_consent_on or (locked.data_consent_on if locked.data_consent else None) or today
    changes = {"birth_year": birth_year, "data_consent": data_consent, "data_consent_on": consent_on}
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, changes[name])
        locked.save(update_fields=changed)
        audit_record(
            actor=acting_user,
            event="cooperator.personal_data_set",
            target=locked,
            tenant_id=locked.organization_id,
            data={"fields": changed},
        )
    return locked


@transaction.atomic
def cooperator_erase(
    *, cooperator: Cooperator, acting_user: Any, reason: str, erased_on: date | None = None
) -> Cooperator:
    """Erase a person's data on request, irreversibly: names become the neutral marker; CIN, phone, birth year and
    consent are blanked; the person is made inactive. Gender (already in reported figures) and every link
    (enrolments, attendance, certificates, invoices) stay, so books and counts do not move. Audited with the reason
    and the names of the fields blanked, never their values."""
    reason = reason.strip()
    if not reason:
        raise DomainError(ErrorCode.TRAINING_ERASE_REASON_REQUIRED)
    locked = _cooperator_locked(cooperator)
    blanks: dict[str, Any] = {
        "first_name_fr": ERASED_FIRST_NAME,
        "last_name_fr": ERASED_LAST_NAME,
        "full_name_ar": ERASED_NAME_AR,
        "cin": "",
        "phone": "",
        "birth_year": None,
        "data_consent": False,
        "data_consent_on": None,
        "is_active": False,
        "erased_on": erased_on or timezone.localdate(),
    }
    for name, value in blanks.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(blanks))
    audit_record(
        actor=acting_user,
        event="cooperator.erased",
        target=locked,
        tenant_id=locked.organization_id,
        data={"reason": reason[:200], "fields": [name for name in blanks if name not in {"is_active", "erased_on"}]},
    )
    return locked
