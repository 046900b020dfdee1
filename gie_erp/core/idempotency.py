"""Idempotency keys: the same key and content returns the first result; another content raises."""

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from gie_erp.core.errors import IdempotencyConflict
from gie_erp.core.models import IdempotencyRecord

T = TypeVar("T")


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


#: Key prefixes that services derive from business identity; nothing a person or a script sends may use them (a
#: form key taken as ``reversal:<id>`` would make that entry impossible to reverse). Apps register theirs here.
RESERVED_KEY_PREFIXES = (
    "reversal:",
    "opening:",
    "invoice:",
    "credit_note:",
    "payment:",
    "sale:",
    "ticket:",
    "settlement:",
    "consignment:",
    "commission:",
    "training:",
    "fee:",
    "close:",
    "vat:",
    "demo:",
)
_CLIENT_TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def is_reserved_key(key: str) -> bool:
    """True when the key belongs to a service's namespace."""
    return key.startswith(RESERVED_KEY_PREFIXES)


def form_key(*, user_id: int | None, token: str) -> str:
    """The idempotency key of a form submission: the client's token inside the form namespace of its user, so that
    no form can send a service's reserved key. A missing or malformed token gets a fresh one (no replay then)."""
    if not _CLIENT_TOKEN.fullmatch(token or ""):
        token = uuid.uuid4().hex
    return f"form:{user_id or 0}:{token}"


def retry_once_on_conflict(action: Callable[[int], T]) -> T:
    """Run a top-level command in its own durable transaction; if a concurrent writer committed the same unique key
    first (IntegrityError), run it once more (``action(2)``): it then sees the winner's rows and answers as a replay
    would, or says what is now taken."""
    try:
        with transaction.atomic(durable=True):
            return action(1)
    except IntegrityError:
        with transaction.atomic(durable=True):
            return action(2)
