"""The statement's pictograms: the rows' categories (``mapping.Icon``) and the money's arrows, drawn once for every
printed document in ``gie_erp.core.pictograms`` (the settlement note of ``sales`` uses the same)."""

from django.utils.safestring import SafeString

from gie_erp.core import pictograms as drawings
from gie_erp.core.pictograms import ARROW_IN, ARROW_OUT, COINS, EXCHANGE, SOURCES
from gie_erp.statements.mapping import Icon

__all__ = ["ARROW_IN", "ARROW_OUT", "CATEGORY", "COINS", "EXCHANGE", "SOURCES"]

CATEGORY: dict[Icon, SafeString] = {
    Icon.BASKET: drawings.BASKET,
    Icon.HAND: drawings.HAND,
    Icon.COINS: COINS,
    Icon.BUILDING: drawings.BUILDING,
    Icon.CAP: drawings.CAP,
    Icon.CART: drawings.CART,
    Icon.PERSON: drawings.PERSON,
    Icon.RECEIPT: drawings.RECEIPT,
    Icon.INVOICE_PAID: drawings.INVOICE_PAID,
    Icon.TRUCK: drawings.TRUCK,
    Icon.EXCHANGE: EXCHANGE,
}
