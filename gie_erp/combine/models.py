"""The list of account pairs the combined accounts eliminate: data the GIE's accountant keeps (issue 15 point 3).

Each row is one ``eliminate.PairRule``: the account-code prefixes of each side, and whose book each side is (the
GIE's, a member's, or any). Rows are read in ``order``: when two rules claim an account with prefixes of the same
length, the first one takes it (see ``eliminate``). A rule is never deleted, only deactivated, so that an earlier
combination can be explained.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairRule(models.Model):
    class Book(models.TextChoices):
        GIE = "gie", _("le GIE")
        MEMBER = "member", _("un membre")
        ANY = "any", _("tout livre")

    key = models.SlugField(_("code"), max_length=60, unique=True)
    label_fr = models.CharField(_("intitulé (français)"), max_length=200)
    label_ar = models.CharField(_("intitulé (arabe)"), max_length=200, blank=True)
    left = models.CharField(
        _("comptes du premier côté"), max_length=200, help_text=_("Préfixes de comptes séparés par des espaces.")
    )
    left_book = models.CharField(_("livre du premier côté"), max_length=8, choices=Book.choices)
    right = models.CharField(
        _("comptes du second côté"), max_length=200, help_text=_("Préfixes de comptes séparés par des espaces.")
    )
    right_book = models.CharField(_("livre du second côté"), max_length=8, choices=Book.choices)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("paire de comptes à éliminer")
        verbose_name_plural = _("paires de comptes à éliminer")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.key}: {self.left} ↔ {self.right}"

    @property
    def left_prefixes(self) -> tuple[str, ...]:
        return tuple(self.left.split())

    @property
    def right_prefixes(self) -> tuple[str, ...]:
        return tuple(self.right.split())
