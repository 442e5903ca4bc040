"""The PDF render pool's processes end with their worker, however it ends."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.support.waiting import eventually

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Opens the pool, makes it start both its processes, says so, then waits to be killed.
POOL_HOLDER = """
import time
from concurrent.futures import wait
from workers.render_pool import open_render_pool
pool = open_render_pool(2)
wait([pool.submit(time.sleep, 0.2) for _ in range(2)])
print("ready", flush=True)
time.sleep(600)
"""


def render_processes_of(parent: int) -> list[int]:
    """The live pool processes whose parent is `parent` (multiprocessing's spawned children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, ppid = fields[0], int(fields[1])
        if ppid == parent and state != "Z" and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def test_render_processes_die_when_their_worker_is_killed() -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", POOL_HOLDER, stdout=asyncio.subprocess.PIPE, cwd=PROJECT_ROOT
    )
    children: list[int] = []
    try:
        assert holder.stdout is not None
        assert await holder.stdout.readline() == b"ready\n"
        children = render_processes_of(holder.pid)
        assert len(children) == 2
        holder.kill()
        await holder.wait()
        await eventually(
            lambda: [pid for pid in children if alive(pid)],
            lambda survivors: not survivors,
            what="the render processes to end with their worker",
        )
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
