"""Time-ordered UUIDs (RFC 9562 version 7) for the rows the ledger writes in bulk.

django-ledger keys its journal entries and transactions by UUID and indexes them (primary key, the transactions'
``journal_entry_id``). Random (version 4) keys land on a random page of each of those indexes: once the tables
outgrow memory, every insert reads and dirties a different page. Version 7 keys start with the time in
milliseconds, so new rows go to the right-hand edge of each index, as with a sequence. They stay ordinary UUIDs:
django-ledger, URLs and exports see no difference.

Layout: 48 bits of Unix time in ms, version 7, then a 42-bit counter (random start each millisecond, +1 per key,
so keys made in one process never go backwards), variant, then 32 random bits.
"""

import os
import secrets
import threading
import time
from uuid import UUID, SafeUUID

_COUNTER_BITS = 42
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def _next_counters(count: int) -> tuple[int, int]:
    """Reserve ``count`` consecutive counter values; returns (millisecond, first counter)."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = secrets.randbits(_COUNTER_BITS - 1) - 1  # top bit clear: room to count up within the ms
        if (_counter + count) >> _COUNTER_BITS:  # cannot happen in practice; the next ms keeps the order
            _last_ms += 1
            _counter = -1
        first = _counter + 1
        _counter += count
        return _last_ms, first


def _from_int(value: int) -> UUID:
    """``UUID(int=value)`` without its argument checks (the value is built right here)."""
    key = object.__new__(UUID)
    object.__setattr__(key, "int", value)
    object.__setattr__(key, "is_safe", SafeUUID.unknown)
    return key


def uuid7_many(count: int) -> list[UUID]:
    """``count`` new version-7 UUIDs in increasing order, each greater than any made before by this process."""
    if count <= 0:
        return []
    ms, first = _next_counters(count)
    head = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | 0b10 << 62
    randoms = os.urandom(4 * count)
    keys = []
    for i in range(count):
        counter = first + i
        rand_b_low = int.from_bytes(randoms[4 * i : 4 * i + 4])
        keys.append(_from_int(head | (counter >> 30) << 64 | (counter & 0x3FFFFFFF) << 32 | rand_b_low))
    return keys


def uuid7() -> UUID:
    """A new version-7 UUID, strictly greater than the previous one made by this process."""
    return uuid7_many(1)[0]


def uuid7_time_ms(value: UUID) -> int:
    """The Unix time in milliseconds at which a version-7 UUID was made."""
    return value.int >> 80
