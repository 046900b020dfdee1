"""The audit log page (/audit/): who may see it, what it shows, its filters, exports and query count; the history of
one object (``audit_history`` and its template include); every event code written has a label."""

import ast
import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gie_erp.core.audit import EVENT_LABELS, audit_history, audit_record, audit_search
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from ledger.books import book_ensure
from ledger.models import Entry
from ledger.services import journal_entry_reverse, period_lock
from tests.factories.members import OrganizationFactory, UserFactory
from tests.ledger.conftest import TODAY, cr, dr, post

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def at(event: AuditEvent, moment: datetime) -> AuditEvent:
    """Date an audit row (``occurred_at`` is set on insert)."""
    AuditEvent.objects.filter(pk=event.pk).update(occurred_at=moment)
    event.refresh_from_db()
    return event


def shown_events(response: Any) -> list[str]:
    """The event codes of the table's rows, in order."""
    assert response.status_code == 200
    return [row.split('"', 1)[0] for row in response.content.decode().split('<tr data-event="')[1:]]


@pytest.fixture
def auditor(db: Any) -> Any:
    return UserFactory(username="auditrice", role=Role.AUDITOR, first_name="Samira", last_name="Audit")


@pytest.fixture
def admin_user(db: Any) -> Any:
    return UserFactory(username="admin-gie", role=Role.GIE_ADMIN)


@pytest.mark.parametrize("role", [Role.COOP_REPRESENTATIVE, Role.FAIR_SELLER, Role.TRAINER])
def test_the_audit_page_is_closed_to_anyone_but_gie_staff_and_auditors(client: Any, coop_a: Any, role: Role) -> None:
    audit_record(actor=None, event="ledger.period_locked", tenant_id=coop_a.pk, data={"period": "2026-03"})
    user = UserFactory(role=role, organization=coop_a if role == Role.COOP_REPRESENTATIVE else None)
    client.force_login(user)
    for suffix in ("", "?export=csv", "?export=xlsx", f"?book={coop_a.slug}"):
        response = client.get("/audit/" + suffix)
        assert response.status_code == 403, (role, suffix)
        assert "2026-03" not in response.content.decode()


def test_a_representative_sees_no_audit_link_and_no_history(client: Any, rep_a: Any, coop_a: Any) -> None:
    audit_record(actor=None, event="organization.updated", target=coop_a, tenant_id=coop_a.pk)
    client.force_login(rep_a)
    body = client.get(f"/members/{coop_a.slug}/").content.decode()
    assert "/audit/" not in body
    assert "Historique" not in body
    assert audit_search(user=rep_a).count() == 0
    assert audit_history(user=rep_a, target_type="members.organization", target_id=coop_a.pk) == []


@pytest.mark.parametrize("role", [Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR])
def test_gie_staff_and_auditors_open_the_audit_page_from_the_menu(client: Any, role: Role) -> None:
    client.force_login(UserFactory(role=role))
    home = client.get("/").content.decode()
    assert 'href="/audit/"' in home
    assert "Journal d'audit" in home
    assert client.get("/audit/").status_code == 200


def test_the_page_says_who_did_what_in_which_book_and_when(
    client: Any, accountant: Any, admin_user: Any, coop_a: Any
) -> None:
    accountant.first_name, accountant.last_name = "Karim", "Comptable"
    accountant.save()
    book = book_ensure(organization=coop_a)
    ref = post(book, date(2026, 3, 2), "audit-1", dr("5161", "10.00"), cr("7121", "10.00"))
    entry = Entry.objects.get(pk=ref.je_id)
    journal_entry_reverse(
        entry=entry, reversed_on=date(2026, 3, 5), acting_user=accountant, reason="compte erroné", today=TODAY
    )
    lock = period_lock(book=book, year=2026, month=3, acting_user=accountant)
    at(AuditEvent.objects.get(event="ledger.period_locked"), datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
    audit_record(actor=admin_user, event="user.created", target=accountant, data={"role": "gie_accountant"})
    audit_record(actor=None, event="custom.thing", data={"answer": 42})
    client.force_login(admin_user)

    body = client.get("/audit/").content.decode()

    assert "Période verrouillée" in body
    assert "04/05/2026 11:00:00" in body  # 10:00 UTC is 11:00 in Casablanca (UTC+1 outside Ramadan)
    assert "Karim Comptable" in body
    assert f'<a href="/members/{coop_a.slug}/">Coopérative Alpha</a>' in body
    assert "période" in body
    assert "2026-03" in body
    assert str(lock.pk) in body  # the lock row is the target
    assert "Écriture contre-passée" in body
    assert f'href="/books/{coop_a.slug}/entries/{entry.pk}/"' in body
    assert f"Écriture {entry.number}" in body
    assert "compte erroné" in body
    reversal = Entry.objects.get(reversal_of=entry)
    assert str(reversal.pk) not in body  # the reversing entry by its number, not its id
    assert reversal.number in body
    assert "Utilisateur créé" in body
    assert f'<a href="/users/{accountant.pk}/">Utilisateur {accountant.username}</a>' in body  # admins open users
    assert "Comptable du GIE" in body  # the role, by its label
    assert "custom.thing" in body  # no label yet: the code itself
    assert "answer" in body
    assert "42" in body
    assert "Système" in body  # book.created has no actor


def test_an_accountant_gets_no_link_to_the_user_pages(client: Any, accountant: Any, admin_user: Any) -> None:
    audit_record(actor=admin_user, event="user.created", target=accountant, data={"role": "gie_accountant"})
    client.force_login(accountant)
    body = client.get("/audit/").content.decode()
    assert "Utilisateur créé" in body
    assert f'href="/users/{accountant.pk}/"' not in body


@pytest.fixture
def story(accountant: Any, admin_user: Any, coop_a: Any, coop_b: Any) -> dict[str, Any]:
    """Four events: two users, two events, two books, two days."""
    events = {
        "a_lock_march": (accountant, "ledger.period_locked", coop_a, datetime(2026, 4, 2, 9, tzinfo=UTC)),
        "b_lock_march": (accountant, "ledger.period_locked", coop_b, datetime(2026, 4, 10, 9, tzinfo=UTC)),
        "a_unlock_march": (admin_user, "ledger.period_unlocked", coop_a, datetime(2026, 4, 10, 15, tzinfo=UTC)),
        "b_update": (admin_user, "organization.updated", coop_b, datetime(2026, 4, 20, 9, tzinfo=UTC)),
    }
    for name, (actor, event, org, moment) in events.items():
        at(audit_record(actor=actor, event=event, tenant_id=org.pk, data={"name": name}), moment)
    return {"accountant": accountant, "admin": admin_user, "coop_a": coop_a, "coop_b": coop_b}


def test_the_filters_combine(client: Any, auditor: Any, story: dict[str, Any]) -> None:
    client.force_login(auditor)
    accountant, admin_user = story["accountant"], story["admin"]
    cases = {
        "": ["organization.updated", "ledger.period_unlocked", "ledger.period_locked", "ledger.period_locked"],
        f"actor={accountant.pk}": ["ledger.period_locked", "ledger.period_locked"],
        "event=ledger.period_locked": ["ledger.period_locked", "ledger.period_locked"],
        "book=coop-a": ["ledger.period_unlocked", "ledger.period_locked"],
        "date_from=2026-04-10": ["organization.updated", "ledger.period_unlocked", "ledger.period_locked"],
        "date_to=2026-04-10": ["ledger.period_unlocked", "ledger.period_locked", "ledger.period_locked"],
        "date_from=2026-04-10&date_to=2026-04-10": ["ledger.period_unlocked", "ledger.period_locked"],
        f"actor={accountant.pk}&book=coop-b": ["ledger.period_locked"],
        f"actor={admin_user.pk}&event=organization.updated&book=coop-b&date_from=2026-04-20&date_to=2026-04-20": [
            "organization.updated"
        ],
        f"actor={admin_user.pk}&book=coop-a&date_from=2026-04-11": [],
    }
    for query, expected in cases.items():
        assert shown_events(client.get(f"/audit/?{query}")) == expected, query


def test_days_are_casablanca_days(client: Any, auditor: Any, coop_a: Any) -> None:
    # 31 March 23:30 UTC is 1 April 00:30 in Casablanca: it belongs to April the 1st
    at(
        audit_record(actor=None, event="ledger.period_locked", tenant_id=coop_a.pk),
        datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    )
    client.force_login(auditor)
    assert shown_events(client.get("/audit/?event=ledger.period_locked&date_from=2026-04-01")) == [
        "ledger.period_locked"
    ]
    assert shown_events(client.get("/audit/?event=ledger.period_locked&date_to=2026-03-31")) == []
    assert "01/04/2026 00:30:00" in client.get("/audit/?event=ledger.period_locked").content.decode()


BAD_QUERIES = [
    "actor=abc",
    "actor=-1",
    "actor=99999999999999999999999999",
    "actor=1.5",
    "event=%3Cscript%3Ealert(1)%3C/script%3E",
    'event=a"b',
    "event=" + "x" * 300,
    "book=no-such-book",
    "book=%00",
    "date_from=2026-13-45",
    "date_from=0001-01-01",
    "date_to=9999-12-31",
    "date_from=hier&date_to=demain",
    "page=abc",
    "page=-5",
    "page=999999",
    "export=pdf",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_invalid_filter_values_answer_without_an_error(
    client: Any, auditor: Any, story: dict[str, Any], query: str
) -> None:
    client.force_login(auditor)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200, query
    assert "<script>alert(1)" not in response.content.decode()
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/audit/?{query}&export={fmt}").status_code == 200, (query, fmt)


def test_a_bad_value_is_reported_and_the_other_filters_still_apply(
    client: Any, auditor: Any, story: dict[str, Any]
) -> None:
    client.force_login(auditor)
    response = client.get("/audit/?book=coop-a&date_from=2026-13-45")
    assert shown_events(response) == ["ledger.period_unlocked", "ledger.period_locked"]
    assert 'class="errorlist"' in response.content.decode()


def test_an_event_code_without_a_label_can_be_filtered_from_the_url(client: Any, auditor: Any) -> None:
    audit_record(actor=None, event="fair.closed", data={})
    audit_record(actor=None, event="fair.opened", data={})
    client.force_login(auditor)
    assert shown_events(client.get("/audit/?event=fair.closed")) == ["fair.closed"]


def test_csv_export_has_french_headers_and_the_filtered_rows(client: Any, auditor: Any, story: dict[str, Any]) -> None:
    client.force_login(auditor)
    response = client.get(f"/audit/?book=coop-a&actor={story['admin'].pk}&export=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="journal-audit.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Date et heure", "Utilisateur", "Code", "Événement", "Livre", "Cible", "Identifiant de la cible", "Détails"
    ]  # fmt: skip
    assert rows[1:] == [
        ["10/04/2026 16:00:00", "admin-gie", "ledger.period_unlocked", "Période déverrouillée", "Coopérative Alpha", "",
         "", "name : a_unlock_march"],
    ]  # fmt: skip


def test_xlsx_export_has_the_same_rows(client: Any, auditor: Any, story: dict[str, Any]) -> None:
    client.force_login(auditor)
    response = client.get("/audit/?event=ledger.period_locked&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("Date et heure", "Utilisateur", "Code", "Événement")
    assert [(row[0], row[4]) for row in values[1:]] == [
        ("10/04/2026 10:00:00", "Coopérative Bêta"),
        ("02/04/2026 10:00:00", "Coopérative Alpha"),
    ]


def _many_events(count: int, offset: int) -> None:
    """``count`` events, each by another user, in another book, about another entry."""
    for n in range(count):
        org = OrganizationFactory()
        book = book_ensure(organization=org)
        ref = post(book, date(2026, 3, 2), f"many-{offset}-{n}", dr("5161", "1.00"), cr("7121", "1.00"))
        entry = Entry.objects.get(pk=ref.je_id)
        actor = UserFactory()
        audit_record(actor=actor, event="ledger.entry_reversed", target=entry, tenant_id=org.pk, data={"n": n})
        audit_record(actor=actor, event="organization.updated", target=org, tenant_id=org.pk)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_rows(client: Any, auditor: Any) -> None:
    client.force_login(auditor)
    _many_events(2, offset=0)
    few = {url: _queries(client, url) for url in ("/audit/", "/audit/?export=csv", f"/audit/?actor={auditor.pk}")}
    _many_events(12, offset=1)
    many = {url: _queries(client, url) for url in few}
    assert many == few
    assert many["/audit/"] <= 10


def test_an_entry_history_shows_its_reversal(accountant: Any, auditor: Any, rep_a: Any, coop_a: Any) -> None:
    book = book_ensure(organization=coop_a)
    ref = post(book, date(2026, 3, 2), "hist-1", dr("5161", "10.00"), cr("7121", "10.00"))
    entry = Entry.objects.get(pk=ref.je_id)
    journal_entry_reverse(
        entry=entry, reversed_on=date(2026, 3, 5), acting_user=accountant, reason="doublon", today=TODAY
    )

    history = audit_history(user=auditor, target_type="ledger.entry", target_id=entry.pk)

    assert [(row.record.event, row.label) for row in history] == [("ledger.entry_reversed", "Écriture contre-passée")]
    assert ("motif", "doublon") in history[0].details
    html = render_to_string("web/_audit_history.html", {"history": history})
    assert "Historique" in html
    assert "Écriture contre-passée" in html
    assert "doublon" in html
    assert render_to_string("web/_audit_history.html", {"history": []}).strip() == ""
    assert audit_history(user=rep_a, target_type="ledger.entry", target_id=entry.pk) == []


def test_history_is_bounded(auditor: Any, coop_a: Any) -> None:
    for _ in range(60):
        audit_record(actor=None, event="organization.updated", target=coop_a, tenant_id=coop_a.pk)
    with CaptureQueriesContext(connection) as context:
        history = audit_history(user=auditor, target_type="members.organization", target_id=coop_a.pk)
    assert len(history) == 50
    assert len(context.captured_queries) == 1


def _written_event_codes() -> set[str]:
    """Every string an ``audit_record(event=…)`` call of the project can pass, read from the source."""
    codes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "bench", "node_modules"} or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_record"
            ):
                for keyword in node.keywords:
                    if keyword.arg == "event":
                        codes |= {
                            c.value
                            for c in ast.walk(keyword.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        }
    return codes


def test_every_event_code_written_has_a_label() -> None:
    codes = _written_event_codes()
    assert {"ledger.period_locked", "ledger.entry_reversed", "user.created"} <= codes
    assert sorted(codes - set(EVENT_LABELS)) == []
