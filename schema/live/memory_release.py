"""Keep the garbage collector off open subscriptions, and give memory back when they close.

Each open subscription is a few hundred long-lived objects. With ten thousand
of them, every full collection walks millions of objects and stops the API for
a second or more, mid fan-out. So once FREEZE_STEP subscriptions have opened,
everything alive is frozen (gc.freeze: left out of collections, still freed by
reference counting). Once FREEZE_STEP have closed, it is unfrozen, so the
cycles the closed ones left are collected as usual; and it is not frozen again
before a full collection has run, so no garbage is ever frozen for good, even
when subscribers come and go while their number stays the same.

CPython and glibc keep freed memory for reuse, so after thousands of
subscriptions close the API would stay at its peak size for good. When the
number of subscriptions has fallen to half of its high-water mark, collect
and ask glibc to return free pages.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable

from workers.free_memory import release_free_pages

logger = logging.getLogger(__name__)

# Below this many subscriptions the memory at stake is not worth a collection.
MIN_HIGH_WATER_MARK = 200
# Wait for the rest of a wave of disconnects before releasing.
SETTLE_SECONDS = 1.0
# Subscriptions opened (or closed) between two freezes (or unfreezes).
FREEZE_STEP = 500


def _full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])


class MemoryRelease:
    def __init__(self, current: Callable[[], int]) -> None:
        self._current = current
        self._high_water_mark = 0
        self._pending: asyncio.TimerHandle | None = None
        self._opened = self._closed = 0  # since the last freeze or thaw
        self._frozen = False
        # Full collections counted when last unfrozen; None: nothing unfrozen awaits one.
        self._full_collections_at_thaw: int | None = None

    def opened(self) -> None:
        """Call when a subscription opens."""
        self._opened += 1
        if self._opened >= FREEZE_STEP and self._thawed_garbage_collected():
            self._freeze()
        self._observe()

    def closed(self) -> None:
        """Call when a subscription closes."""
        self._closed += 1
        if self._frozen and self._closed >= FREEZE_STEP:
            gc.unfreeze()
            self._frozen = False
            self._opened = self._closed = 0
            self._full_collections_at_thaw = _full_collections()
        self._observe()

    def _freeze(self) -> None:
        gc.freeze()
        self._frozen = True
        self._opened = self._closed = 0
        self._full_collections_at_thaw = None

    def _thawed_garbage_collected(self) -> bool:
        at_thaw = self._full_collections_at_thaw
        return at_thaw is None or _full_collections() > at_thaw

    def _observe(self) -> None:
        count = self._current()
        self._high_water_mark = max(self._high_water_mark, count)
        if (
            self._pending is None
            and self._high_water_mark >= MIN_HIGH_WATER_MARK
            and count <= self._high_water_mark // 2
        ):
            self._pending = asyncio.get_running_loop().call_later(SETTLE_SECONDS, self._release)

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _release(self) -> None:
        self._pending = None
        self._high_water_mark = self._current()
        gc.unfreeze()
        # One pause, once a crowd has left; what survives is frozen again at once.
        gc.collect()
        self._freeze()
        release_free_pages()
        logger.debug("released freed memory (%d subscriptions left)", self._high_water_mark)
