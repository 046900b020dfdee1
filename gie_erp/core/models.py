"""Kernel models: the audit log and idempotency records."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per business change, written in the same transaction as the change itself."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # the book concerned (members.Organization id); a plain integer keeps the kernel free of app imports
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    event = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.event} {self.target_type}:{self.target_id}"


class IdempotencyRecord(models.Model):
    """A key used once per scope; its digest proves a replay carries the same content."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    result: Any = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
