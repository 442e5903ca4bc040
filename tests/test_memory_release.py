"""The API keeps open subscriptions out of full collections without freezing garbage for good."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from schema.live.memory_release import FREEZE_STEP, MemoryRelease


@pytest.fixture
def gc_restored() -> Iterator[None]:
    yield
    gc.unfreeze()


async def test_frozen_while_subscribers_stay_and_thawed_as_they_leave(gc_restored: None) -> None:
    count = 0
    release = MemoryRelease(lambda: count)

    def open_many(n: int) -> None:
        nonlocal count
        for _ in range(n):
            count += 1
            release.opened()

    def close_many(n: int) -> None:
        nonlocal count
        for _ in range(n):
            count -= 1
            release.closed()

    open_many(FREEZE_STEP)
    assert gc.get_freeze_count() > 0, "open subscriptions are left out of collections"

    # Subscribers come and go while their number stays the same: the closed ones'
    # garbage must become collectable again, not stay frozen.
    close_many(FREEZE_STEP)
    assert gc.get_freeze_count() == 0
    open_many(FREEZE_STEP)
    assert gc.get_freeze_count() == 0, "not frozen again before a full collection"
    gc.collect()
    open_many(FREEZE_STEP)
    assert gc.get_freeze_count() > 0
    release.cancel()
