"""What every sales model shares: the MAD amount column and the payment methods."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def money_field(verbose: Any, **kwargs: Any) -> Any:
    """A MAD amount column: 14 digits, 2 places."""
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Espèces")
    CARD = "card", _("Carte")
    MOBILE = "mobile", _("Paiement mobile")
    CHEQUE = "cheque", _("Chèque")


class CommissionBase(models.TextChoices):
    TTC = "ttc", _("Montant TTC des tickets")
    HT = "ht", _("Montant HT des tickets")
