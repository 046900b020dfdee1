"""An invoicing world: the GIE, an exempt cooperative (art. 91), a VAT-registered one, outside customers; books
open. Identifiers are complete so that every mention is present unless a test removes one."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from invoices.models import Party
from invoices.services import LineInput
from ledger.books import book_ensure
from ledger.models import Balance, Book
from members.models import Organization
from tests.factories.members import OrganizationFactory, valid_ice

TODAY = date(2026, 11, 22)


def D(text: str) -> Decimal:
    return Decimal(text)


def balance(organization: Any, code: str, partner: Any = None) -> Decimal:
    """Debit − credit of exactly this account (no sub-accounts) in an organization's book, for one partner (None:
    every partner)."""
    rows = Balance.objects.filter(book=Book.objects.get(organization=organization), account_code=code)
    if partner is not None:
        rows = rows.filter(partner_id=partner.pk)
    cents = sum(row.debit - row.credit for row in rows)
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def weavers() -> Any:
    """A third member with its book: coop-tapis, exempt under art. 91, with an address (sales and training worlds)."""
    tapis = OrganizationFactory(
        slug="coop-tapis",
        legal_name_fr="Coopérative Zarbia",
        legal_name_ar="تعاونية الزربية",
        vat_status=Organization.VatStatus.EXEMPT,
        vat_legal_reference="CGI art. 91",
        if_number="43333333",
        tp_number="53333333",
        odco_number="ODCO 2021/09",
        address="Douar Tazrout, Larache",
    )
    book_ensure(organization=tapis)
    return tapis


def line(description: str, quantity: str, price: str, vat: str | None = None, **kwargs: Any) -> LineInput:
    return LineInput(description=description, quantity=D(quantity), unit_price=D(price), vat_code=vat, **kwargs)


@pytest.fixture
def world(gie: Any) -> dict[str, Any]:
    Organization.objects.filter(pk=gie.pk).update(
        if_number="40123456",
        tp_number="50123456",
        rc_number="RC 12345 Tanger",
        address="12 rue de Fès, Tanger",
        vat_status=Organization.VatStatus.REGISTERED,
    )
    gie.refresh_from_db()
    exempt = OrganizationFactory(
        slug="coop-olive",
        legal_name_fr="Coopérative Zitouna",
        legal_name_ar="تعاونية الزيتونة",
        if_number="41111111",
        tp_number="51111111",
        odco_number="ODCO 2019/118",
        address="Douar Bni Ahmed, Chefchaouen",
        vat_status=Organization.VatStatus.EXEMPT,
        vat_legal_reference="CGI art. 91",
    )
    registered = OrganizationFactory(
        slug="coop-miel",
        legal_name_fr="Coopérative Nahla",
        legal_name_ar="تعاونية النحلة",
        if_number="42222222",
        tp_number="52222222",
        odco_number="ODCO 2015/77",
        address="Route de Martil, Tétouan",
        vat_status=Organization.VatStatus.REGISTERED,
    )
    for organization in (gie, exempt, registered):
        book_ensure(organization=organization)
    hotel = Party.objects.create(
        code="hotel-tanger",
        legal_name_fr="Hôtel Continental",
        ice=valid_ice(777),
        address="36 rue Dar Baroud, Tanger",
        city="Tanger",
    )
    consumer = Party.objects.create(
        code="m-alami", kind=Party.Kind.CONSUMER, legal_name_fr="M. Alami", address="Tétouan", payment_terms_days=0
    )
    return {"gie": gie, "exempt": exempt, "registered": registered, "hotel": hotel, "consumer": consumer}
