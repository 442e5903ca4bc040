"""Giving freed memory back to the system: in the worker, its render pool and the API.

CPython and glibc keep freed memory for reuse, so a process stays at the size
of its largest job for good; a PDF job's peak is the worker's plus each render
process's, and one job's leftovers stack on the next one's peak (issue 5).
Standard library only: the render pool's processes import it.
"""

from __future__ import annotations

import ctypes
import functools
import gc
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, found among the symbols already loaded; None elsewhere (musl)."""
    trim: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)
    return trim


def release_free_pages() -> None:
    """Return the allocator's free pages to the system: about a millisecond, no collection."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def collect_and_release() -> None:
    """Collect garbage held in reference cycles, then return the free pages.

    A full collection walks every tracked object: cheap only where the long-lived
    ones are frozen (gc.freeze), as in the render pool's processes.
    """
    gc.collect()
    release_free_pages()
