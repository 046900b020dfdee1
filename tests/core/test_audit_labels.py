"""Histories people read (issue 12, user pass): a change lists its fields by their names (« canal, nom court », not
``channel, slug``), a value that is one of a field's choices reads as its label (« Ouvert à la vente », not
``open``), every key the sales services record has a label, and amounts and days read the French way."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gie_erp.core.audit import DATA_LABELS, audit_details, audit_history, audit_record, audit_rows
from gie_erp.core.models import AuditEvent
from sales.models import Deposit, Device, Event, Product
from tests.factories.members import UserFactory
from tests.invoices import conftest as invoices_world
from tests.sales import conftest as sales_world

pytestmark = pytest.mark.django_db
world, fair = invoices_world.world, sales_world.fair  # the fixtures: an event to read the history of


def test_changed_fields_read_as_their_names_and_choices_as_their_labels() -> None:
    with translation.override("fr"):
        assert dict(audit_details({"fields": ["channel", "slug", "ends_on"]}, Event)) == {
            "champs": "canal, nom court, au"
        }
        assert audit_details({"previous_state": "planned", "state": "open"}, Event) == (
            ("état précédent", "En préparation"),
            ("état", "Ouvert à la vente"),
        )
        assert dict(audit_details({"decision": "member", "count": "2"}, Deposit)) == {
            "décision": "À la charge du membre",
            "nombre": "2",
        }
        assert dict(audit_details({"fields": ["organization", "vat_code", "price"]}, Product)) == {
            "champs": "membre, TVA, prix TTC"
        }
    with translation.override("ar"):
        ((_label, value),) = audit_details({"state": "open"}, Event)
        assert value not in ("open", "")  # the choice's label, in Arabic when translated
    # without the target's model (or for a name it lacks) the value stays as stored
    assert dict(audit_details({"fields": ["channel"], "state": "open"})) == {"champs": "channel", "état": "open"}
    assert dict(audit_details({"fields": ["no_such_field"]}, Event)) == {"champs": "no_such_field"}


def test_every_key_the_sales_services_record_has_a_label() -> None:
    keys = {"member", "previous_member", "scan_code", "decision", "event", "on", "takings", "differences",
            "commission", "offsets", "net", "tickets", "count", "fields", "members", "sellers",
            "members_changed", "sellers_changed", "state", "previous_state", "offset_other_invoices", "amount",
            "file", "via"}  # fmt: skip
    assert keys <= set(DATA_LABELS)
    with translation.override("fr"):
        assert dict(audit_details({"member": "coop-miel", "count": 2})) == {"membre": "coop-miel", "nombre": "2"}
        assert dict(audit_details({"name": "Samsung A12"}, Device)) == {"nom": "Samsung A12"}  # the field's name
        assert dict(audit_details({"on": "2026-11-30", "takings": "1025.00", "net": "922.50"})) == {
            "date": "30/11/2026",
            "ventes TTC": "1\u202f025,00",
            "net versé": "922,50",
        }


def test_the_event_page_history_reads_like_a_person_wrote_it(client: Client, fair: Any) -> None:
    accountant = UserFactory(username="compta-histoire", role="gie_accountant")
    event = fair["event"]
    audit_record(actor=accountant, event="sales.event_updated", target=event,
                 data={"fields": ["channel", "slug"], "members": 3, "members_changed": False})  # fmt: skip
    audit_record(actor=accountant, event="sales.event_state_changed", target=event,
                 data={"previous_state": "planned", "state": "open"})  # fmt: skip
    client.force_login(accountant)
    body = client.get(f"/sales/events/{event.slug}/").content.decode()
    history = body[body.index("audit-history") :]
    assert "champs : canal, nom court" in history
    assert "état : Ouvert à la vente" in history
    assert "état précédent : En préparation" in history
    assert "channel, slug" not in history


def test_rows_read_each_target_model_once(django_assert_num_queries: Any, fair: Any) -> None:
    for day in range(3):
        audit_record(actor=None, event="sales.event_state_changed", target=fair["event"],
                     data={"state": "open", "on": date(2026, 11, 20 + day).isoformat()})  # fmt: skip
    events = list(AuditEvent.objects.select_related("actor"))
    with django_assert_num_queries(0):
        rows = audit_rows(events)
    assert rows[0].details_text.startswith("date : 2")
    user = UserFactory(username="auditrice", role="auditor")
    assert len(audit_history(user=user, target_type="sales.event", target_id=fair["event"].pk)) == 3
