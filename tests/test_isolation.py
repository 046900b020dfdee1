"""A representative of cooperative A must never reach cooperative B's data, on any URL or API route.

The test walks the URL configuration, so a new route is covered the day it is added: a route whose parameters the
test cannot fill fails here until `objects_of` learns them. An object of B must answer exactly like an object that
does not exist (404, or 403 when the whole page is closed to the role), never 200.
"""

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from gie_erp.close.models import CloseRun
from gie_erp.fees.models import Key, Pool
from gie_erp.fees.services import pool_source_add, run_post
from gie_erp.statements.models import StatementBatch
from invoices.models import Party
from invoices.parties import party_for_member
from invoices.payments import payment_record
from invoices.services import LineInput, bundle_create, bundle_validate, document_save_draft, document_validate
from ledger.books import book_ensure
from ledger.models import EntryAttachment
from members.models import Organization
from sales.models import Channel, Deposit, Device, Event, Participation, Product, Settlement, Shift, SummaryRun
from sales.tickets import tickets_ingest
from tests.factories.members import CooperatorFactory, RepresentativeFactory, UserFactory
from tests.ledger.conftest import cr, dr, post
from training.models import (
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Funder,
    Grant,
    HalfDay,
    Session,
    SessionFunder,
    Theme,
    Trainer,
)

#: Django's admin is for staff only (covered by its own test below)
SKIPPED_NAMESPACES = {"admin"}
#: routes with no object in the URL and no data of any cooperative; the invoice verification page is public and
#: shows nothing without the exact token (tests/invoices/test_verify.py)
PUBLIC_OR_ACTION = {"login", "logout", "set_language", "invoices_public:verify_invoice",
                    "training_public:verify_certificate",  # likewise: tests/training/test_verify_certificate.py
                    # the till's service worker and manifest: files of the phone app's shell, no data of anyone
                    "sales:till_sw", "sales:till_manifest"}  # fmt: skip
#: the till's JSON API authenticates a registered phone (``Authorization: Device …``), never a browser session: it
#: answers 401 to everyone else, with or without an object in the URL (tests/sales/test_api.py covers the phones)
DEVICE_API = {"sales:api_events", "sales:api_catalogue", "sales:api_sync", "sales:api_z"}
#: routes that only accept POST (checked for the 403/404 answer, not for a 200)
POST_ONLY = {
    "ledger:entry_reverse",
    "training:session_enrol",
    "training:session_costs",
    "training:funder_payment",
    "training:certificates_issue",
    "training:session_open",
    "training:session_cancel",
    "members:cooperator_personal_data",
    "invoices:document_validate",
    "invoices:document_delete",
    "invoices:document_write_off",
    "invoices:bundle_validate",
    "invoices:payment_cash",
    "invoices:payment_allocate",
    "sales:till_device_register",
    "sales:difference_decide",
    "sales:event_state",
    "sales:event_summarize",
    "sales:sales_terms",
    "fees:pool_source_add",
    "fees:pool_source_remove",
    "close:run_reopen",
}
#: file downloads whose files the smoke test does not create (tests/statements covers them)
NOT_SMOKED = {"statements:batch_file"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def iter_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from iter_routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern), pattern.pattern


def invoicing(coop: Any, gie: Any, customer_code: str) -> dict[str, Any]:
    """A mandate invoice issued in the cooperative's name, the GIE's invoice to it, a payment and a bundle."""
    Organization.objects.filter(pk__in=[coop.pk, gie.pk]).update(
        if_number="40000001", tp_number="50000001", odco_number="ODCO 1", rc_number="RC 1", address="Tanger"
    )
    coop.refresh_from_db()
    gie.refresh_from_db()
    customer = Party.objects.create(
        code=customer_code, legal_name_fr=f"Client {customer_code}", address="Tanger", kind=Party.Kind.CONSUMER
    )
    sale = LineInput(description="Huile", quantity=Decimal(1), unit_price=Decimal("10.00"))
    mandate = document_save_draft(issuer=coop, customer=customer, issued_on=date(2026, 3, 3), lines=[sale])
    document_validate(document_id=mandate.pk, today=date(2026, 11, 22))
    service = LineInput(description="Tenue comptable", quantity=Decimal(1), unit_price=Decimal("10.00"))
    fee = document_save_draft(
        issuer=gie, customer=party_for_member(organization=coop), issued_on=date(2026, 3, 3), lines=[service]
    )
    payment = payment_record(
        payer=customer,
        collected_by=gie,
        documents=[mandate],
        received_on=date(2026, 3, 4),
        method="cash",
        amount=Decimal("4.00"),
        idempotency_key=f"iso-{customer_code}",
        today=date(2026, 11, 22),
    )
    bundle = bundle_create(customer=customer, issued_on=date(2026, 3, 5), parts=[(coop, [sale])])
    bundle_validate(bundle=bundle, today=date(2026, 11, 22))
    return {
        "document_id": mandate.pk,
        "fee_id": fee.pk,
        "payment_id": payment.pk,
        "bundle_id": bundle.pk,
        "party_id": customer.pk,
    }


def selling(coop: Any, tag: str, price: str) -> dict[str, Any]:
    """A fair where only this cooperative sells: a product, a deposit, a seller's phone and shift, a ticket, a
    summary run and a settlement (written directly: the objects the sales routes name)."""
    channel, _created = Channel.objects.get_or_create(slug="foires-iso", defaults={"name_fr": "Foires"})
    event = Event.objects.create(
        channel=channel, slug=f"foire-{tag}", name_fr=f"Foire {tag.upper()}", starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 5), state=Event.State.OPEN,
    )  # fmt: skip
    Participation.objects.create(event=event, organization=coop, stand=tag.upper())
    product = Product.objects.create(
        organization=coop, code=f"prod-{tag}", scan_code=f"2000000000{ord(tag):03d}", name_fr=f"Produit {tag}",
        price=Decimal(price),
    )  # fmt: skip
    deposit = Deposit.objects.create(event=event, organization=coop, product=product, deposited=Decimal(5))
    seller = UserFactory(username=f"vendeur-{tag}", role="fair_seller")
    event.sellers.add(seller)
    device = Device.objects.create(user=seller, name=f"Phone {tag}", token_hash="")
    opened = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Africa/Casablanca"))
    shift = Shift.objects.create(id=uuid.uuid4(), device=device, event=event, opened_at=opened)
    sale = {"id": str(uuid.uuid4()), "event": event.slug, "sold_at": opened.replace(hour=10).isoformat(),
            "lines": [{"product": product.pk, "quantity": "1", "unit_price": price}],
            "payments": [{"method": "cash", "amount": price}]}  # fmt: skip
    assert (
        tickets_ingest([sale], now=datetime(2026, 11, 22, tzinfo=ZoneInfo("Africa/Casablanca")))[0].status == "stored"
    )
    run = SummaryRun.objects.create(event=event, state=SummaryRun.State.DONE)
    settlement = Settlement.objects.create(event=event, organization=coop, settled_on=date(2026, 3, 6),
                                           takings=Decimal(price), commission_base=Decimal(price),
                                           commission_rate=Decimal("0.1000"), net_paid=Decimal(price))  # fmt: skip
    return {
        "slug": event.slug, "event_slug": event.slug, "member": coop.slug, "product_id": product.pk,
        "deposit_id": deposit.pk, "shift_id": shift.pk, "run_id": run.pk, "settlement_id": settlement.pk,
        "channel_slug": channel.slug,
    }  # fmt: skip


def catalogue() -> dict[str, Any]:
    """The training catalogue (the GIE's, nobody's own): a theme, a course, a trainer, a funder and its grant."""
    theme = Theme.objects.create(slug="gestion-iso", name_fr="Gestion")
    course = Course.objects.create(theme=theme, slug="cours-iso", title_fr="Cours", duration_hours=Decimal(6))
    trainer = Trainer.objects.create(user=UserFactory(username="formatrice-iso", role="trainer"), name="Samira")
    other = Trainer.objects.create(user=UserFactory(username="formateur-iso-b", role="trainer"), name="Karim")
    funder = Funder.objects.create(slug="indh-iso", name_fr="INDH")
    grant = Grant.objects.create(funder=funder, reference="C-1", title_fr="Convention", starts_on=date(2026, 1, 1),
                                 ends_on=date(2026, 12, 31))  # fmt: skip
    objects = {"course": course, "trainer": trainer, "trainer_b": other, "funder": funder, "grant": grant}
    ids = {"theme_slug": theme.slug, "course_slug": course.slug, "trainer_id": trainer.pk, "funder_slug": funder.slug}
    return {**objects, **ids, "grant_id": grant.pk}


def training(coop: Any, tag: str, cooperator_id: int, cat: dict[str, Any]) -> dict[str, Any]:
    """A closed session where only this cooperative's cooperator was enrolled: a half-day, attendance, a
    certificate (a representative sees the sessions its cooperators are in, and open ones: these are closed)."""
    session = Session.objects.create(
        course=cat["course"], slug=f"session-{tag}", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 2),
        trainer=cat["trainer" if tag == "a" else "trainer_b"],
        capacity=5, enrolment_deadline=date(2026, 3, 1), fee_per_trainee=Decimal("100.00"),
        state=Session.State.CLOSED,
    )  # fmt: skip
    SessionFunder.objects.create(session=session, funder=cat["funder"], rate=Decimal("0.4000"), grant=cat["grant"])
    half_day = HalfDay.objects.create(session=session, day=date(2026, 3, 2), part="am")
    enrolment = Enrolment.objects.create(session=session, cooperator_id=cooperator_id, organization=coop,
                                         enrolled_at=datetime(2026, 2, 20, tzinfo=ZoneInfo("UTC")))  # fmt: skip
    Attendance.objects.create(enrolment=enrolment, half_day=half_day, present=True,
                              recorded_at=datetime(2026, 3, 2, tzinfo=ZoneInfo("UTC")))  # fmt: skip
    certificate = Certificate.objects.create(enrolment=enrolment, token=f"tok-{tag}-" + "x" * 26,
                                             issued_on=date(2026, 3, 3))  # fmt: skip
    return {"session_slug": session.slug, "enrolment_id": enrolment.pk, "half_day_id": half_day.pk,
            "certificate_id": certificate.pk}  # fmt: skip


def fees_world() -> dict[int, dict[str, Any]]:
    """One pool of 100.00 a month shared equally, run for March 2026: a fee invoice and a share per cooperative (the
    pool, its source and the run are the GIE's: the same for both sides)."""
    pool = Pool.objects.create(slug="iso-compta", name_fr="Comptabilité", key=Key.EQUAL, fixed_monthly=Decimal(100))
    source = pool_source_add(pool=pool, account_code="61312")
    run = run_post(pool=pool, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), today=date(2026, 11, 22))
    common = {"pool_slug": pool.slug, "source_id": source.pk, "fee_run_id": run.pk}
    return {share.organization_id: {**common, "share_id": share.pk} for share in run.shares.all()}


@pytest.fixture
def world(coop_a: Any, coop_b: Any, gie: Any) -> dict[str, Any]:
    book_a, book_b = book_ensure(organization=coop_a), book_ensure(organization=coop_b)
    book_ensure(organization=gie)
    bills_a, bills_b = invoicing(coop_a, gie, "client-a"), invoicing(coop_b, gie, "client-b")
    entry_a = post(book_a, date(2026, 3, 2), "iso-a", dr("5161", "10.00"), cr("7121", "10.00"))
    entry_b = post(book_b, date(2026, 3, 2), "iso-b", dr("5161", "20.00"), cr("7121", "20.00"))
    attach_a = EntryAttachment.objects.create(entry_id=entry_a.je_id, book=book_a, file=ContentFile(b"a", name="a.pdf"))
    attach_b = EntryAttachment.objects.create(entry_id=entry_b.je_id, book=book_b, file=ContentFile(b"b", name="b.pdf"))
    batch_a = StatementBatch.objects.create(year=2026, month=3, member_slug=coop_a.slug)
    batch_b = StatementBatch.objects.create(year=2026, month=3, member_slug=coop_b.slug)
    sales_a, sales_b = selling(coop_a, "a", "11.00"), selling(coop_b, "b", "33.00")
    cooperator_a = CooperatorFactory(organization=coop_a, last_name_fr="Alaoui-A").pk
    cooperator_b = CooperatorFactory(organization=coop_b, last_name_fr="Bennis-B").pk
    cat = catalogue()
    shared = {key: value for key, value in cat.items() if not isinstance(value, models.Model)}
    fee_shares = fees_world()
    close_run = {"close_run_id": CloseRun.objects.create(year=2026, month=3).pk}  # the GIE's: the same for both
    return {
        "A": {
            "org_slug": coop_a.slug,
            "cooperator_id": cooperator_a,
            "entry_id": entry_a.je_id,
            "attachment_id": attach_a.pk,
            "user_id": RepresentativeFactory(organization=coop_a).pk,
            "batch_id": batch_a.pk,
            **bills_a,
            **sales_a,
            **shared,
            **training(coop_a, "a", cooperator_a, cat),
            **fee_shares[coop_a.pk],
            **close_run,
            "rule_key": "gie-receivable",  # the pair list is the GIE's: the same for both
        },
        "B": {
            "org_slug": coop_b.slug,
            "cooperator_id": cooperator_b,
            "entry_id": entry_b.je_id,
            "attachment_id": attach_b.pk,
            "user_id": RepresentativeFactory(organization=coop_b).pk,
            "batch_id": batch_b.pk,
            **bills_b,
            **sales_b,
            **shared,
            **training(coop_b, "b", cooperator_b, cat),
            **fee_shares[coop_b.pk],
            **close_run,
            "rule_key": "gie-receivable",
        },
        "missing": {
            "org_slug": "no-such-coop",
            "cooperator_id": 999999,
            "entry_id": "00000000-0000-4000-8000-000000000000",
            "attachment_id": 999999,
            "user_id": 999999,
            "batch_id": 999999,
            "document_id": 999999,
            "payment_id": 999999,
            "bundle_id": 999999,
            "party_id": 999999,
            "slug": "no-such-event",
            "event_slug": "no-such-event",
            "member": "no-such-coop",
            "product_id": 999999,
            "deposit_id": 999999,
            "shift_id": "00000000-0000-4000-8000-000000000000",
            "run_id": 999999,
            "settlement_id": 999999,
            "channel_slug": "no-such-channel",
            "theme_slug": "no-such-theme",
            "course_slug": "no-such-course",
            "trainer_id": 999999,
            "funder_slug": "no-such-funder",
            "grant_id": 999999,
            "session_slug": "no-such-session",
            "enrolment_id": 999999,
            "half_day_id": 999999,
            "certificate_id": 999999,
            "pool_slug": "no-such-pool",
            "source_id": 999999,
            "fee_run_id": 999999,
            "share_id": 999999,
            "close_run_id": 999999,
            "rule_key": "no-such-pair",
        },
        "coop_b": coop_b,
        "trainer_a": cat["trainer"].user,
    }


#: parameters that name no object of anyone: the same value for every side
NEUTRAL = {"account_code": "5161", "year": "2026", "month": "3", "file_name": "coop-a-2026-03.pdf"}


def fill(route: str, side: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(1)
        if param in NEUTRAL:
            return NEUTRAL[param]
        if param not in side:
            pytest.fail(f"route {route!r} takes <{param}>: teach the isolation test how to fill it")
        return str(side[param])

    return "/" + PARAM.sub(value, route)


def test_every_route_with_an_object_of_b_answers_like_a_missing_object(
    client: Any, rep_a: Any, world: dict[str, Any]
) -> None:
    client.force_login(rep_a)
    checked = 0
    for name, route, _pattern in iter_routes():
        if name in PUBLIC_OR_ACTION or not PARAM.search(route) or set(PARAM.findall(route)) <= set(NEUTRAL):
            continue
        if name in DEVICE_API:  # a session is no phone: 401 whatever the object
            statuses = {client.get(fill(route, world[side])).status_code for side in ("A", "B", "missing")}
            assert statuses == {401}, f"{name}: {statuses}"
            continue
        own = client.get(fill(route, world["A"]))
        other = client.get(fill(route, world["B"]))
        missing = client.get(fill(route, world["missing"]))
        assert own.status_code in {200, 403, 405}, f"{name}: own object gave {own.status_code}"
        assert other.status_code in {403, 404}, (
            f"{name} leaked cooperative B to A's representative: {other.status_code}"
        )
        assert other.status_code == missing.status_code, f"{name}: B's object and a missing one answer differently"
        if own.status_code == 200:
            assert other.status_code == 404, name
        checked += 1
    assert checked >= 14


def test_routes_without_an_object_never_show_b(client: Any, rep_a: Any, world: dict[str, Any]) -> None:
    client.force_login(rep_a)
    for name, route, _pattern in iter_routes():
        if name in PUBLIC_OR_ACTION or (PARAM.search(route) and not set(PARAM.findall(route)) <= set(NEUTRAL)):
            continue
        response = client.get(fill(route, world["A"]))
        expected = {401, 405} if name in DEVICE_API else {200, 302, 403, 404, 405}  # api_sync takes a POST only
        assert response.status_code in expected, f"{name}: {response.status_code}"
        body = response.content.decode()
        secrets = ("Coopérative Bêta", "تعاونية بيتا", world["coop_b"].ice, "Bennis-B", "20,00", "Client client-b",
                   "Produit b", "Foire B", "33,00")  # fmt: skip
        for secret in secrets:
            assert secret not in body, f"{name} shows {secret!r} to A's representative"


def test_anonymous_is_sent_to_login_everywhere(client: Any, world: dict[str, Any]) -> None:
    for name, route, _pattern in iter_routes():
        if name in PUBLIC_OR_ACTION:
            continue
        response = client.get(fill(route, world["B"]))
        if name in DEVICE_API:  # no login page for a phone: 401 (405 for the POST-only sync)
            assert response.status_code in {401, 405}, name
            continue
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"], name


def test_every_page_renders_for_the_gie_accountant(client: Any, accountant: Any, world: dict[str, Any]) -> None:
    """Smoke test of every GET page with real objects (templates, drill-down links, exports)."""
    client.force_login(accountant)
    for name, route, _pattern in iter_routes():
        if name in PUBLIC_OR_ACTION | POST_ONLY | NOT_SMOKED | DEVICE_API or name.startswith(
            ("web:user", "web:portal")
        ):
            continue
        url = fill(route, world["B"])
        for suffix in ("", "?export=csv", "?export=xlsx"):
            response = client.get(url + suffix)
            assert response.status_code == 200, f"{name} {url}{suffix}: {response.status_code}"


def test_admin_is_closed_to_representatives(client: Any, rep_a: Any, world: dict[str, Any]) -> None:
    client.force_login(rep_a)
    response = client.get(f"/admin/members/organization/{world['coop_b'].pk}/change/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_gie_accountant_sees_both(client: Any, accountant: Any, world: dict[str, Any]) -> None:
    client.force_login(accountant)
    body = client.get("/api/members/").json()
    assert {row["slug"] for row in body["results"]} >= {"coop-a", "coop-b"}
    assert client.get(f"/members/{world['coop_b'].slug}/cooperators/").status_code == 200


#: the URL parameters that name something of one training session
SESSION_PARAMS = {"session_slug", "enrolment_id", "half_day_id", "certificate_id"}


def test_a_trainer_sees_only_its_own_sessions(client: Any, world: dict[str, Any]) -> None:
    """Session A is taught by trainer A, session B by another trainer: every route naming B's session (or its
    enrolment, half-day, certificate) answers trainer A exactly like a missing one."""
    client.force_login(world["trainer_a"])
    checked = 0
    for name, route, _pattern in iter_routes():
        if name in PUBLIC_OR_ACTION or not set(PARAM.findall(route)) & SESSION_PARAMS:
            continue
        own = client.get(fill(route, world["A"]))
        other = client.get(fill(route, world["B"]))
        missing = client.get(fill(route, world["missing"]))
        assert own.status_code in {200, 403, 405}, f"{name}: own session gave {own.status_code}"
        assert other.status_code in {403, 404}, f"{name} showed another trainer's session: {other.status_code}"
        assert other.status_code == missing.status_code, f"{name}: B's session and a missing one answer differently"
        checked += 1
    assert checked >= 1
    listing = client.get("/training/")
    if listing.status_code == 200:
        assert "session-a" in listing.content.decode()
        assert "session-b" not in listing.content.decode()
