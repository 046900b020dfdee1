"""Histories name what a key names (issue 12, round 2): a member's slug reads as its legal name, an event's slug as
its name, a list of usernames as the people's full names, in the page's language, one query per kind of object
whatever the number of rows; a value naming nothing stays as stored; the actor reads by their full name."""

from typing import Any

import pytest
from django.utils import translation

from gie_erp.core.audit import audit_record, audit_rows, reference_names
from gie_erp.core.models import AuditEvent
from tests.factories.members import UserFactory
from tests.invoices import conftest as invoices_world
from tests.sales import conftest as sales_world

pytestmark = pytest.mark.django_db
world, fair = invoices_world.world, sales_world.fair  # the fixtures


def test_keys_naming_objects_read_as_their_names(django_assert_num_queries: Any, fair: Any) -> None:
    youssef = UserFactory(username="compta-y", first_name="Youssef", last_name="El Idrissi")
    UserFactory(username="vendeur", first_name="Imane", last_name="Bennani")
    for n in range(3):
        audit_record(actor=youssef, event="sales.settled", target=fair["event"],
                     data={"event": "foire-tanger-2026", "member": "coop-miel", "previous_member": "coop-olive",
                           "sellers": ["vendeur", "inconnu"], "count": n})  # fmt: skip
    events = list(AuditEvent.objects.select_related("actor"))
    with translation.override("fr"), django_assert_num_queries(3):  # organizations, events, users: once each
        rows = audit_rows(events)
    details = dict(rows[0].details)
    assert details["événement"] == "Foire régionale de Tanger 2026"
    assert details["membre"] == "Coopérative Nahla"
    assert details["membre précédent"] == "Coopérative Zitouna"
    assert details["vendeurs"] == "Imane Bennani, inconnu"  # a username naming nobody stays as stored
    assert rows[0].actor_name == "Youssef El Idrissi"
    with translation.override("ar"):
        arabic = dict(audit_rows(events)[0].details)
    assert "المعرض الجهوي بطنجة 2026" in arabic.values()


def test_nothing_to_name_costs_no_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert reference_names([{"count": 2}, {"member": 3}, None, "texte"]) == {}


def test_the_actor_without_a_full_name_reads_as_their_username(fair: Any) -> None:
    first = audit_record(actor=UserFactory(username="sans-nom"), event="sales.event_updated", target=fair["event"])
    second = audit_record(actor=None, event="sales.event_updated", target=fair["event"])
    events = AuditEvent.objects.select_related("actor").filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [row.actor_name for row in audit_rows(events)] == ["sans-nom", ""]
