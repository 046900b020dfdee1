"""Roles and what each may see. Pure: no ORM. The scoping itself lives in each app's selectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GIE_ADMIN = "gie_admin", _("Administrateur du GIE")
    GIE_ACCOUNTANT = "gie_accountant", _("Comptable du GIE")
    COOP_REPRESENTATIVE = "coop_representative", _("Représentant de coopérative")
    FAIR_SELLER = "fair_seller", _("Vendeur de foire")
    TRAINER = "trainer", _("Formateur")
    AUDITOR = "auditor", _("Auditeur")


#: Roles that see every book (the GIE's staff and its auditor).
ALL_BOOKS_ROLES = frozenset({Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR})
#: Roles that may change accounting or member data.
WRITE_ROLES = frozenset({Role.GIE_ADMIN, Role.GIE_ACCOUNTANT})
#: Roles bound to one cooperative.
COOPERATIVE_ROLES = frozenset({Role.COOP_REPRESENTATIVE})


def sees_all_books(role: str) -> bool:
    return role in ALL_BOOKS_ROLES


def may_write(role: str) -> bool:
    return role in WRITE_ROLES
