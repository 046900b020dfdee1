"""A fair world: the invoicing world's GIE and two members (``coop-olive`` exempt under art. 91, ``coop-miel``
VAT-registered) plus a third exempt member (``coop-tapis``); a fair channel at 10 % on TTC; an open fair from
20 to 29 November 2026 where the three sell; a seller with a registered phone; products at every VAT rate."""

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gie_erp.core.roles import Role
from sales.models import Channel, Device, Event, Participation, Product
from tests.factories.members import UserFactory
from tests.invoices.conftest import D, balance, weavers, world  # noqa: F401 (fixtures and helpers shared with invoices)

TZ = ZoneInfo("Africa/Casablanca")
TODAY = date(2026, 11, 30)


def at(day: int, hour: int = 11, minute: int = 0, month: int = 11) -> str:
    """An ISO time on a fair day, as a phone sends it."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).isoformat()


def ticket(
    event: Any, lines: list[tuple[Any, str, str]], payments: list[tuple[str, str] | tuple[str, str, str]], **kw: Any
) -> dict[str, Any]:
    """A ticket payload as the till sends it: lines (product, quantity, unit price), payments (method, amount[,
    tendered])."""
    payload: dict[str, Any] = {
        "id": str(kw.pop("id", uuid.uuid4())),
        "event": event.slug,
        "sold_at": kw.pop("sold_at", at(21)),
        "lines": [{"product": p.pk, "quantity": q, "unit_price": u} for p, q, u in lines],
        "payments": [{"method": p[0], "amount": p[1], **({"tendered": p[2]} if len(p) > 2 else {})} for p in payments],
    }
    payload.update(kw)
    return payload


@pytest.fixture
def fair(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811 (the invoices fixture)
    return _fair(world)


def _fair(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    tapis = weavers()
    channel = Channel.objects.create(slug="foires", name_fr="Foires régionales", name_ar="المعارض الجهوية")
    event = Event.objects.create(
        channel=channel,
        slug="foire-tanger-2026",
        name_fr="Foire régionale de Tanger 2026",
        name_ar="المعرض الجهوي بطنجة 2026",
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 29),
        place="Place du 9 avril, Tanger",
        state=Event.State.OPEN,
    )
    olive, miel = world["exempt"], world["registered"]
    for stand, member in (("A1", olive), ("B2", miel), ("C3", tapis)):
        Participation.objects.create(event=event, organization=member, stand=stand)
    seller = UserFactory(username="imane", role=Role.FAIR_SELLER)
    event.sellers.add(seller)
    device = Device.objects.create(user=seller, name="Samsung A12", token_hash="")
    products = {
        "huile": Product.objects.create(
            organization=olive, code="huile-1l", scan_code="2000000000015", name_fr="Huile d'olive 1 l",
            name_ar="زيت الزيتون 1 ل", unit=Product.Unit.LITRE, price=D("80.00"), vat_code="exonere-91",
        ),
        "miel": Product.objects.create(
            organization=miel, code="miel-250", scan_code="2000000000022", name_fr="Miel de thym 250 g",
            name_ar="عسل الزعتر 250 غ", unit=Product.Unit.POT, price=D("120.00"), vat_code="normal-20",
        ),
        "amlou": Product.objects.create(
            organization=miel, code="amlou-250", scan_code="2000000000039", name_fr="Amlou 250 g",
            name_ar="أملو 250 غ", unit=Product.Unit.POT, price=D("55.00"), vat_code="reduit-10",
        ),
        "tapis": Product.objects.create(
            organization=tapis, code="tapis-s", scan_code="2000000000046", name_fr="Petit tapis",
            name_ar="زربية صغيرة", price=D("450.00"), vat_code="exonere-91",
        ),
    }  # fmt: skip
    return {**world, "tapis": tapis, "channel": channel, "event": event, "seller": seller, "device": device,
            "products": products}  # fmt: skip
