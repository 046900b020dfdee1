"""Time-ordered UUIDs (RFC 9562 version 7) for the rows the ledger writes in bulk.

django-ledger keys its journal entries and transactions by UUID and indexes them (primary key, the transactions'
``journal_entry_id``). Random (version 4) keys land on a random page of each of those indexes: once the tables
outgrow memory, every insert reads and dirties a different page. Version 7 keys start with the time in
milliseconds, so new rows go to the right-hand edge of each index, as with a sequence. They stay ordinary UUIDs:
django-ledger, URLs and exports see no difference.

Layout: 48 bits of Unix time in ms, version 7, then a 42-bit counter (random start each millisecond, +1 per key,
so keys made in one process never go backwards), variant, then 32 random bits.
"""

import secrets
import threading
import time
from uuid import UUID

_COUNTER_BITS = 42
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> UUID:
    """A new version-7 UUID, strictly greater than the previous one made by this process."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = secrets.randbits(_COUNTER_BITS - 1)  # top bit clear: room to count up within the ms
        else:  # same millisecond, or the clock stepped back: keep counting from the last key
            _counter += 1
            if _counter >> _COUNTER_BITS:  # 2^41 keys in one ms cannot happen; moving on to the next ms is correct
                _last_ms += 1
                _counter = secrets.randbits(_COUNTER_BITS - 1)
        ms, counter = _last_ms, _counter
    rand_a = counter >> 30  # 12 bits
    rand_b = ((counter & ((1 << 30) - 1)) << 32) | secrets.randbits(32)  # 62 bits
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return UUID(int=value)


def uuid7_time_ms(value: UUID) -> int:
    """The Unix time in milliseconds at which a version-7 UUID was made."""
    return value.int >> 80
