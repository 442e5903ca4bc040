"""The process pool that renders PDF pages, one per core unless configured."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from workers.pdf_process import prepare_process

# A PDF is rendered in batches across the pool: fewer than two processes would
# leave a report waiting for one core even where the machine has two.
MIN_RENDER_PROCESSES = 2
# Rendering takes every core it is given; at a lower priority it still gets them
# when they are idle, but the worker's event loop and the API come first.
RENDER_NICENESS = 10


def render_processes(configured: int) -> int:
    """PDF_RENDER_PROCESSES, or 0 for one per core (at least MIN_RENDER_PROCESSES)."""
    return configured or max(MIN_RENDER_PROCESSES, os.cpu_count() or 1)


def open_render_pool(configured: int) -> ProcessPoolExecutor:
    # Spawned, not forked: a fork would copy this process's open sockets.
    return ProcessPoolExecutor(
        max_workers=render_processes(configured),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_render_process,
    )


def _start_render_process() -> None:
    """Runs in each pool process as it starts."""
    os.nice(RENDER_NICENESS)
    prepare_process()
