"""Version-7 UUIDs: valid RFC 9562 layout, time first, strictly increasing within a process."""

import time
from uuid import UUID

from gie_erp.core import ids
from gie_erp.core.ids import uuid7, uuid7_time_ms


def test_layout_version_variant_and_time() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert isinstance(value, UUID)
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"
    assert before <= uuid7_time_ms(value) <= after
    assert UUID(str(value)) == value  # an ordinary UUID for django-ledger, URLs and exports


def test_strictly_increasing_even_within_one_millisecond() -> None:
    values = [uuid7() for _ in range(20_000)]  # far more than one per millisecond
    assert values == sorted(values)
    assert len(set(values)) == len(values)


def test_a_clock_stepping_back_does_not_make_a_smaller_key(monkeypatch: object) -> None:
    first = uuid7()
    frozen = (uuid7_time_ms(first) - 5_000) * 1_000_000  # the wall clock jumps 5 s into the past
    monkeypatch.setattr(ids.time, "time_ns", lambda: frozen)  # type: ignore[attr-defined]
    second, third = uuid7(), uuid7()
    assert first < second < third
    assert uuid7_time_ms(second) == uuid7_time_ms(first)  # keeps counting within the last millisecond seen


def test_many_at_once_continue_the_same_order() -> None:
    before = uuid7()
    batch = ids.uuid7_many(5_000)
    after = uuid7()
    assert [before, *batch, after] == sorted({before, *batch, after})  # increasing and all distinct
    assert {value.version for value in batch} == {7}
    assert ids.uuid7_many(0) == []
