from decimal import Decimal

import pytest

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import IdempotencyConflict
from gie_erp.core.idempotency import content_digest, idempotent_call
from gie_erp.core.models import AuditEvent, IdempotencyRecord


def test_digest_is_stable_and_order_free():
    assert content_digest({"a": Decimal("1.10"), "b": [1, 2]}) == content_digest({"b": [1, 2], "a": Decimal("1.10")})
    assert content_digest({"a": Decimal("1.10")}) != content_digest({"a": Decimal("1.11")})


@pytest.mark.django_db
def test_same_key_same_content_runs_once_and_returns_first_result():
    calls: list[int] = []

    def action() -> dict[str, int]:
        calls.append(1)
        audit_record(actor=None, event="test.ran")
        return {"n": len(calls)}

    first = idempotent_call(scope="test", key="k1", content={"x": 1}, action=action)
    again = idempotent_call(scope="test", key="k1", content={"x": 1}, action=action)
    assert first == again == {"n": 1}
    assert len(calls) == 1
    assert AuditEvent.objects.filter(event="test.ran").count() == 1


@pytest.mark.django_db
def test_same_key_other_content_is_refused():
    idempotent_call(scope="test", key="k2", content={"x": 1}, action=dict)
    with pytest.raises(IdempotencyConflict) as info:
        idempotent_call(scope="test", key="k2", content={"x": 2}, action=dict)
    assert "k2" in info.value.message("fr")
    assert IdempotencyRecord.objects.filter(key="k2").count() == 1


@pytest.mark.django_db
def test_a_failing_action_leaves_no_record_so_a_retry_runs_again():
    def boom() -> dict[str, int]:
        audit_record(actor=None, event="test.boom")
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        idempotent_call(scope="test", key="k3", content={}, action=boom)
    assert not IdempotencyRecord.objects.filter(key="k3").exists()
    assert not AuditEvent.objects.filter(event="test.boom").exists()
    assert idempotent_call(scope="test", key="k3", content={}, action=lambda: {"ok": 1}) == {"ok": 1}
