"""Idempotency keys: the same key and content returns the first result; another content raises."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from gie_erp.core.errors import IdempotencyConflict
from gie_erp.core.models import IdempotencyRecord


def content_digest(content: Any) -> str:
    """A stable sha256 of JSON-able content (Decimals and dates as strings, keys sorted)."""
    payload = json.dumps(content, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def idempotent_call(*, scope: str, key: str, content: Any, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``action`` once per (scope, key). A replay with the same content returns the stored result.

    The record and the action's writes commit together: a crash in the action leaves no record, so a retry runs it
    again. Concurrent callers are serialised by the unique constraint.
    """
    digest = content_digest(content)
    with transaction.atomic():
        existing = IdempotencyRecord.objects.select_for_update().filter(scope=scope, key=key).first()
        if existing is not None:
            if existing.digest != digest:
                raise IdempotencyConflict(key)
            return dict(existing.result)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, digest=digest)
        except IntegrityError:  # another transaction took the key between our read and our insert
            winner = IdempotencyRecord.objects.get(scope=scope, key=key)
            if winner.digest != digest:
                raise IdempotencyConflict(key) from None
            return dict(winner.result)
        result = action()
        record.result = result
        record.save(update_fields=["result"])
        return result
