"""A fixed-window request counter in Django's cache: ``over_rate(key, limit)`` counts one request under ``key`` and
says whether it is past ``limit`` in the current window.

The window opens at the key's first request and lasts ``window`` seconds: ``cache.add`` sets the counter with its
expiry, ``cache.incr`` keeps that expiry (LocMem, Redis and Memcached do). Used by the till's API (per device) and
the public verification page of invoices (per client address). Imports no project app.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


def over_rate(key: str, limit: int, *, window: int = WINDOW_SECONDS, fail_open: bool = True) -> bool:
    """Count one request under ``key``; True past ``limit`` in the current window. ``fail_open``: an unreachable
    cache lets the request through (logged) — a till must keep selling when Redis is down; otherwise the cache's
    error propagates."""
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this request opens a new window
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:  # any backend failure (Redis down, a timeout, a refused connection)
        if not fail_open:
            raise
        logger.warning("rate limit skipped: the cache is unreachable (%s)", key.split(":")[0], exc_info=True)
        return False
    return int(count) > limit
