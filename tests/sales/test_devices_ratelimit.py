"""``gie_erp.core.ratelimit.over_rate``, shared by the till's API and the invoices' public verification page: a
fixed window per key, and what an unreachable cache does (the till lets the sale through; the page raises)."""

from typing import Any

import pytest
from django.core.cache import cache

from gie_erp.core import ratelimit
from gie_erp.core.ratelimit import over_rate


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def test_the_limit_counts_per_key_within_the_window() -> None:
    assert [over_rate("t:a", 3) for _ in range(5)] == [False, False, False, True, True]
    assert over_rate("t:b", 3) is False  # another key has its own count
    cache.delete("t:a")  # the window ended (the counter expired): a new one opens
    assert over_rate("t:a", 3) is False


class _Broken:
    def add(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis is down")


def test_an_unreachable_cache_lets_the_request_through_or_raises_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "cache", _Broken())
    assert over_rate("t:c", 0) is False
    with pytest.raises(ConnectionError):
        over_rate("t:c", 0, fail_open=False)


def test_the_till_and_the_verification_page_use_the_one_counter() -> None:
    import gie_erp.core.verify as public
    import sales.devices as devices

    assert devices.over_rate is public.over_rate is over_rate
    assert not hasattr(devices, "cache")  # no second copy left behind
