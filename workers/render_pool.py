"""The process pool that renders PDF pages, one per core unless configured."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor

from workers.pdf_process import prepare_process

# A PDF is rendered in batches across the pool: fewer than two processes would
# leave a report waiting for one core even where the machine has two.
MIN_RENDER_PROCESSES = 2
# Rendering takes every core it is given; at a lower priority it still gets them
# when they are idle, but the worker's event loop and the API come first.
RENDER_NICENESS = 10
# <linux/prctl.h>: the signal a process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def render_processes(configured: int) -> int:
    """PDF_RENDER_PROCESSES, or 0 for one per core (at least MIN_RENDER_PROCESSES)."""
    return configured or max(MIN_RENDER_PROCESSES, os.cpu_count() or 1)


def open_render_pool(configured: int) -> ProcessPoolExecutor:
    # Spawned, not forked: a fork would copy this process's open sockets.
    return ProcessPoolExecutor(
        max_workers=render_processes(configured),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_render_process,
        initargs=(os.getpid(),),
    )


def close_render_pool(cpu_pool: ProcessPoolExecutor) -> None:
    """Stop the render processes without waiting for the pages they are on.

    Every job is done or handed back by now, so a render still running belongs to
    an attempt that was cancelled, and its pages would be thrown away. Waiting for
    the renders (and the call queued behind them) held a SIGTERM'd worker for 9 s
    with a 3,000-row PDF under way and a 1 s grace period.
    """
    # First drop what has not started; the pool's manager then sees the processes
    # end as a broken pool, fails whatever was running, and exits.
    cpu_pool.shutdown(wait=False, cancel_futures=True)
    # The pool's processes are this process's only multiprocessing children.
    for process in multiprocessing.active_children():
        process.terminate()


def _start_render_process(worker_pid: int) -> None:
    """Runs in each pool process as it starts."""
    _die_with(worker_pid)
    os.nice(RENDER_NICENESS)
    prepare_process()


def _die_with(worker_pid: int) -> None:
    """Be killed when the worker dies, however it dies (SIGKILL, the OOM killer).

    A pool process waits for work on a queue it also holds a writing end of, so
    it would otherwise wait for ever once its worker is gone. Linux only; the
    pool is spawned from the worker's main thread, whose end is the worker's.
    """
    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is None:
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker_pid:
        # The worker died before the request took effect.
        os._exit(1)
