"""Till devices: registering a phone, authenticating its API requests, and limiting how often it may call.

A device proves itself with ``Authorization: Device <device-uuid>:<token>``. The token is 256 random bits
(``secrets.token_urlsafe(32)``), shown once at registration; only its sha256 is stored, and the comparison runs in
constant time. A revoked device, or one whose user was deactivated, is refused like an unknown one.

The rate limit counts each device's requests in a one-minute window (``gie_erp.core.ratelimit``, shared with the
public verification page of invoices). It is read from ``settings.GIE_SALES_SYNC_RATE_PER_MINUTE`` at each
request. The cache is never a reason to lose a sale: if it cannot be reached, the request is let through and the
failure logged.
"""

import hashlib
import re
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.ratelimit import over_rate
from gie_erp.core.roles import Role
from sales.models import Device

#: bytes of randomness in a device token: 32 bytes = 256 bits (the brief asks for at least 128)
TOKEN_BYTES = 32
#: API requests allowed per device and minute; settings.GIE_SALES_SYNC_RATE_PER_MINUTE overrides it
DEFAULT_RATE_PER_MINUTE = 120
#: device registrations allowed per user and minute (a page a person clicks, never a loop)
REGISTRATIONS_PER_MINUTE = 10
NAME_MAX_LENGTH = 80
#: the roles that may register a phone as a till: sellers, and the GIE staff who may write
REGISTERING_ROLES = frozenset({Role.FAIR_SELLER, Role.GIE_ADMIN, Role.GIE_ACCOUNTANT})
_HEADER = re.compile(r"^Device\s+([0-9a-fA-F-]{32,36}):([A-Za-z0-9_-]{16,128})$")
#: compared against when the device is unknown, so that a miss costs the same as a wrong token
_DUMMY_HASH = hashlib.sha256(b"no such device").hexdigest()


def token_hash(token: str) -> str:
    """The sha256 (hex) of a device token: the only form in which the server keeps it."""
    return hashlib.sha256(token.encode()).hexdigest()


def may_register(user: Any) -> bool:
    """Fair sellers and GIE staff who write may register a phone; representatives and auditors may not."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role in REGISTERING_ROLES)


@transaction.atomic
def device_register(*, user: Any, name: str) -> tuple[Device, str]:
    """Create a device for ``user`` with a fresh token; returns the device and the token, shown this once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    device = Device.objects.create(user=user, name=name[:NAME_MAX_LENGTH], token_hash=token_hash(token))
    audit_record(actor=user, event="sales.device_registered", target=device, data={"name": device.name})
    return device, token


def device_authenticate(request: HttpRequest) -> Device | None:
    """The active device the request's ``Authorization`` header proves, or None (missing, malformed, unknown,
    wrong token, revoked, or its user deactivated)."""
    header = request.headers.get("Authorization", "")
    match = _HEADER.match(header.strip()) if isinstance(header, str) and len(header) < 300 else None
    if match is None:
        return None
    try:
        device_id = uuid.UUID(match.group(1))
    except ValueError:
        return None
    device = Device.objects.select_related("user").filter(pk=device_id).first()
    presented = token_hash(match.group(2))
    stored = device.token_hash if device is not None and device.token_hash else _DUMMY_HASH
    if not secrets.compare_digest(presented, stored) or device is None:
        return None
    if device.revoked_at is not None or not device.user.is_active:
        return None
    return device


def device_revoke(*, device: Device, acting_user: Any) -> Device:
    """Refuse the device from now on (its tickets stay); revoking twice keeps the first time."""
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_record(actor=acting_user, event="sales.device_revoked", target=device)
    return device


def rate_per_minute() -> int:
    """Read at each request, so a deployment (or a test) may change it without a restart."""
    return int(getattr(settings, "GIE_SALES_SYNC_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def device_over_rate(device: Device) -> bool:
    """True when this device has made more API requests this minute than the setting allows."""
    return over_rate(f"sales:till:{device.pk}", rate_per_minute())


def registration_over_rate(user: Any) -> bool:
    return over_rate(f"sales:till-register:{user.pk}", REGISTRATIONS_PER_MINUTE)
