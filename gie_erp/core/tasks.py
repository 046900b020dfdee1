"""Kernel tasks. Tasks take ids and keys, never objects, and are safe to retry."""

from celery import shared_task

from gie_erp.core.audit import audit_record
from gie_erp.core.models import AuditEvent


@shared_task(name="core.heartbeat")
def heartbeat(token: str) -> int:
    """Write one audit row for this token (once, even if retried) and return its id: proves worker ↔ database."""
    existing = AuditEvent.objects.filter(event="worker.heartbeat", target_id=token).first()
    if existing is not None:
        return existing.pk
    return audit_record(actor=None, event="worker.heartbeat", target_id=token).pk
