"""A document's lines before they are saved: what another app or a form gives (``LineInput``), the issuer's default
VAT code, the rate valid on the day, the amounts. Shared by one-by-one drafts (``services``) and drafts in bulk
(``bulk``)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from gie_erp.core.errors import DomainError, ErrorCode
from invoices.models import DocumentLine, VatRate
from invoices.totals import line_amounts
from members.models import Organization

EXEMPT_CODE = "exonere-91"
STANDARD_CODE = "normal-20"


@dataclass(frozen=True, slots=True)
class LineInput:
    """One line as a form, an import or another app gives it. ``vat_code`` None: the issuer's default (art. 91
    exemption for an exempt issuer, else the standard rate)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_code: str | None = None
    kind: str | None = None  # None: a service from the GIE, a product from a member
    unit: str = ""
    discount_rate: Decimal = Decimal(0)
    description_ar: str = ""
    account_code: str = ""


def vat_rate_on(code: str, day: date) -> VatRate:
    """The rate with this code valid on ``day`` (old rates stay for back-dated documents)."""
    rate = (
        VatRate.objects.filter(code=code, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    if rate is None:
        raise DomainError(ErrorCode.VAT_RATE_NOT_VALID, rate=code, date=day.isoformat())
    return rate


def is_exempt(issuer: Organization) -> bool:
    return issuer.vat_status == Organization.VatStatus.EXEMPT


def line_rows(
    issuer: Organization, issued_on: date, lines: Sequence[LineInput], rates: dict[str, VatRate] | None = None
) -> list[DocumentLine]:
    """A document's lines, unsaved and without their document: the issuer's default VAT code and line kind, each
    rate valid on the day (read once per code when ``rates`` is shared across documents), the amounts."""
    rates = {} if rates is None else rates
    exempt = is_exempt(issuer)
    default_kind = DocumentLine.Kind.SERVICE if issuer.is_gie else DocumentLine.Kind.PRODUCT
    rows = []
    for position, line in enumerate(lines, start=1):
        code = line.vat_code or (EXEMPT_CODE if exempt else STANDARD_CODE)
        if code not in rates:
            rates[code] = vat_rate_on(code, issued_on)
        rate = rates[code]
        amounts = line_amounts(
            quantity=line.quantity, unit_price=line.unit_price, discount_rate=line.discount_rate, vat_rate=rate.rate
        )
        rows.append(
            DocumentLine(
                position=position,
                kind=line.kind or default_kind,
                description=line.description,
                description_ar=line.description_ar,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_rate=line.discount_rate,
                vat_rate=rate,
                account_code=line.account_code,
                net=amounts.net,
                vat=amounts.vat,
            )
        )
    return rows
