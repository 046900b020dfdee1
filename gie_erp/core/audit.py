"""Writing the audit log. Call inside the service's transaction so the row and the change commit together."""

from typing import Any

from django.db import models

from gie_erp.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    event: str,
    target: models.Model | None = None,
    target_id: str = "",
    tenant_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row; never updates an existing one."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        tenant_id=tenant_id,
        event=event,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else target_id,
        data=data or {},
    )
