"""Keep the garbage collector off open subscriptions, and give memory back when they close.

Each open subscription is a few hundred long-lived objects. With ten thousand
of them, every full collection walks millions of objects and stops the API for
a second or more, mid fan-out. So whenever the subscriptions have grown by
FREEZE_STEP, everything alive is frozen (gc.freeze: left out of collections,
still freed by reference counting); when they shrink by FREEZE_STEP it is
unfrozen, so the cycles of closed connections are collected as usual.

CPython and glibc keep freed memory for reuse, so after thousands of
subscriptions close the API would stay at its peak size for good. When the
number of subscriptions has fallen to half of its high-water mark, collect
and ask glibc to return free pages.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

# Below this many subscriptions the memory at stake is not worth a collection.
MIN_HIGH_WATER_MARK = 200
# Wait for the rest of a wave of disconnects before releasing.
SETTLE_SECONDS = 1.0
# Subscriptions opened (or closed) between two freezes (or unfreezes).
FREEZE_STEP = 500


def _load_malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    function = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if function is None:  # not glibc
        return None
    trim: Callable[[int], int] = function
    return trim


_malloc_trim = _load_malloc_trim()


class MemoryRelease:
    def __init__(self, current: Callable[[], int]) -> None:
        self._current = current
        self._high_water_mark = 0
        self._frozen_at = 0
        self._pending: asyncio.TimerHandle | None = None

    def observe(self) -> None:
        """Call whenever the number of subscriptions changes."""
        count = self._current()
        self._high_water_mark = max(self._high_water_mark, count)
        if count >= self._frozen_at + FREEZE_STEP:
            gc.freeze()
            self._frozen_at = count
        elif count <= self._frozen_at - FREEZE_STEP:
            gc.unfreeze()
            self._frozen_at = count
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
        self._high_water_mark = self._frozen_at = self._current()
        gc.unfreeze()
        gc.collect()
        if _malloc_trim is not None:
            _malloc_trim(0)
        logger.debug("released freed memory (%d subscriptions left)", self._high_water_mark)
