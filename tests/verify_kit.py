"""What the tests of the public verification pages (a document's, a certificate's) share: an empty cache for the
rate counters, a token one character off, every miss answered by one 404 page, a minute's lookups spent."""

from collections.abc import Callable, Iterator, Sequence

import pytest
from django.core.cache import cache
from django.test import Client

from gie_erp.core.verify import DEFAULT_RATE_PER_MINUTE


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """The rate counters live in the cache, which outlives a test: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def other_character(char: str) -> str:
    return "B" if char == "A" else "A"


def one_miss_page(client: Client, paths: Sequence[str]) -> bytes:
    """Every path is a ``noindex`` 404 with the same body, byte for byte (a miss never says how close it was)."""
    bodies = set()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        bodies.add(response.content)
    assert len(bodies) == 1
    return bodies.pop()


def spend_the_minute(client: Client, url: Callable[[str], str], token: str) -> None:
    """A minute's allowance of lookups from one address, the right token and guesses in turn."""
    for n in range(DEFAULT_RATE_PER_MINUTE):
        path = url(token) if n % 2 else url(f"guess-{n}")
        assert client.get(path).status_code in (200, 404)
