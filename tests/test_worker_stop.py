"""A SIGTERM'd worker exits as soon as its jobs are done or handed back, whatever its poll
delay, with PDF pages rendering, or with Redis down; nothing stays RUNNING."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.report_jobs import JobStatus
from models.settings import Settings
from service.embedded_redis import EmbeddedRedis
from service.processes import PROJECT_ROOT, running_worker, stop_process, worker_stop_seconds
from tests.support.factories import request_report, seed_line_items
from tests.support.stacks import SignedInClientFactory, StackFactory, fast_recovery
from tests.support.streams import watching
from tests.support.waiting import job, progress_at_least, wait_for_job
from workers.supervisor import RESTART_DELAY_SECONDS
from workers.worker import STOP_CLOSE_SECONDS

# Far longer than every bound below: an exit in time did not wait for a poll.
RARE_POLL_SECONDS = 60.0
# The default grace period. Before the fix a worker that had run one job waited
# all of it (20.4 s measured) however soon its jobs were done.
GRACE_SECONDS = 20.0
# Generous for two loaded cores; the exits measured take well under a second.
PROMPT_EXIT_SECONDS = 5.0
INTERRUPTED = "Interrupted; continuing on another worker"


async def sigterm(worker: subprocess.Popen[bytes], settings: Settings) -> float:
    """SIGTERM the worker; the seconds it took to exit, which it must do cleanly."""
    exited_in = await asyncio.to_thread(stop_process, worker, worker_stop_seconds(settings))
    assert worker.returncode == 0, f"the worker exited with {worker.returncode}"
    return exited_in


async def test_a_worker_that_ran_a_job_exits_at_once(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack(
        "stop-after-job",
        worker_poll_delay_seconds=RARE_POLL_SECONDS,
        shutdown_grace_seconds=GRACE_SECONDS,
    )
    client = await signed_in_client(lab)
    with running_worker(lab) as worker:
        requested = await request_report(client, kind="SALES", format="CSV")
        done = await wait_for_job(client, requested["id"], timeout=15)
        exited_in = await sigterm(worker, lab)
    print(
        f"\nSIGTERM -> exit after one job: {exited_in:.2f} s "
        f"(poll delay {RARE_POLL_SECONDS:.0f} s, grace {GRACE_SECONDS:.0f} s)"
    )
    assert done["status"] == JobStatus.COMPLETED
    assert exited_in < PROMPT_EXIT_SECONDS


async def test_a_running_job_finishes_then_the_worker_exits(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack(
        "stop-finishing",
        **fast_recovery(fault_chunk_delay_seconds=0.1),
        worker_poll_delay_seconds=RARE_POLL_SECONDS,
        shutdown_grace_seconds=GRACE_SECONDS,
    )
    client = await signed_in_client(lab)
    await seed_line_items(client, 100)
    with running_worker(lab) as worker:
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await watched.wait_for_job(requested["id"], progress_at_least(1))
            exited_in = await sigterm(worker, lab)
        finished = await job(client, requested["id"])
    print(f"\nSIGTERM during a 0.5 s job -> exit: {exited_in:.2f} s")
    assert finished["status"] == JobStatus.COMPLETED and finished["attempts"] == 1
    assert exited_in < PROMPT_EXIT_SECONDS


async def test_a_job_outliving_the_grace_period_is_handed_back(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    grace = 2.0
    lab = await stack(
        "stop-handing-back",
        **fast_recovery(fault_chunk_delay_seconds=0.2),
        worker_poll_delay_seconds=RARE_POLL_SECONDS,
        shutdown_grace_seconds=grace,
    )
    client = await signed_in_client(lab)
    await seed_line_items(client, 400)
    with running_worker(lab) as worker:
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await watched.wait_for_job(requested["id"], progress_at_least(10))
            exited_in = await sigterm(worker, lab)
        handed_back = await job(client, requested["id"])
    print(f"\nSIGTERM, a job longer than the {grace:.0f} s grace -> exit: {exited_in:.2f} s")
    assert handed_back["status"] == JobStatus.PENDING, "nothing stays RUNNING"
    assert handed_back["message"] == INTERRUPTED
    assert grace <= exited_in < grace + PROMPT_EXIT_SECONDS


async def test_pdf_pages_still_rendering_do_not_hold_the_exit(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    grace = 1.0
    lab = await stack(
        "stop-pdf",
        **fast_recovery(),
        worker_poll_delay_seconds=RARE_POLL_SECONDS,
        shutdown_grace_seconds=grace,
        pdf_render_processes=2,
    )
    client = await signed_in_client(lab)
    await seed_line_items(client, 2000)
    with running_worker(lab) as worker:
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="PDF")
            await watched.wait_for_job(requested["id"], progress_at_least(10))
            exited_in = await sigterm(worker, lab)
        handed_back = await job(client, requested["id"])
    print(f"\nSIGTERM, PDF pages rendering, {grace:.0f} s grace -> exit: {exited_in:.2f} s")
    assert handed_back["status"] == JobStatus.PENDING, "nothing stays RUNNING"
    assert handed_back["message"] == INTERRUPTED
    assert exited_in < grace + PROMPT_EXIT_SECONDS


@pytest.mark.parametrize(
    ("poll_delay", "redis_fault"),
    [
        # Polling often, the worker finds Redis gone and is between runs at the SIGTERM.
        (0.05, "down"),
        # Polling rarely, it has not noticed: arq's close meets the outage.
        (RARE_POLL_SECONDS, "down"),
        # A hung Redis accepts and never answers, and arq's calls have no timeout.
        (RARE_POLL_SECONDS, "hung"),
    ],
)
async def test_a_worker_stops_without_redis(
    stack: StackFactory, private_redis: EmbeddedRedis, poll_delay: float, redis_fault: str
) -> None:
    lab = await stack(
        f"stop-redis-{redis_fault}-{poll_delay:g}".replace(".", "-"),
        redis_url=private_redis.url,
        worker_poll_delay_seconds=poll_delay,
    )
    with running_worker(lab) as worker:
        if redis_fault == "hung":
            os.kill(private_redis.pid, signal.SIGSTOP)
        else:
            private_redis.stop()
        try:
            # Not a wait for a condition: any moment is fair, this one is mid-restart
            # for the worker that polls often.
            await asyncio.sleep(RESTART_DELAY_SECONDS / 2)
            exited_in = await sigterm(worker, lab)
        finally:
            if redis_fault == "hung":
                os.kill(private_redis.pid, signal.SIGCONT)
    print(
        f"\nSIGTERM with Redis {redis_fault} (poll delay {poll_delay:g} s) -> exit: "
        f"{exited_in:.2f} s"
    )
    assert exited_in < STOP_CLOSE_SECONDS + PROMPT_EXIT_SECONDS


# A worker process's last act, with every render process busy.
CLOSE_A_BUSY_POOL = """
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from workers.render_pool import close_render_pool

STARTED = Path({started!r})


def render() -> None:
    (STARTED / str(os.getpid())).touch()
    time.sleep({seconds})


if __name__ == "__main__":
    # As workers/render_pool.py makes it, without the PDF stack its processes import.
    pool = ProcessPoolExecutor({processes}, mp_context=multiprocessing.get_context("spawn"))
    renders = [pool.submit(render) for _ in range({processes} + 1)]
    while len(list(STARTED.iterdir())) < {processes}:
        time.sleep(0.05)
    print(len(multiprocessing.active_children()), "render processes busy", flush=True)
    close_render_pool(pool)
"""
RENDER_PROCESSES = 2
# Closing the pool used to wait for the renders running and the one queued behind them.
RENDER_SECONDS = 60.0


def test_closing_the_render_pool_does_not_wait_for_renders(tmp_path: Path) -> None:
    started = tmp_path / "started"
    started.mkdir()
    script = tmp_path / "close_a_busy_pool.py"
    script.write_text(
        CLOSE_A_BUSY_POOL.format(
            processes=RENDER_PROCESSES, seconds=RENDER_SECONDS, started=str(started)
        )
    )
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=PROJECT_ROOT,
        env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        busy = process.stdout.readline()
        closing = time.monotonic()
        process.wait(timeout=RENDER_SECONDS)
        took = time.monotonic() - closing
    finally:
        if process.poll() is None:
            process.kill()
    print(f"\nclosing a busy render pool, then exiting: {took:.2f} s")
    assert busy == f"{RENDER_PROCESSES} render processes busy\n"
    assert process.returncode == 0
    assert took < PROMPT_EXIT_SECONDS
