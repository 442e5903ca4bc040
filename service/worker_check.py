"""`reports worker --check`: is a worker of this queue alive on this machine? For a
container's health check: exit 0 when one has beaten within
WORKER_HEARTBEAT_TIMEOUT_SECONDS, 1 when none has or the database cannot tell.
"""

from __future__ import annotations

import asyncio
import sys

from models.database import close_database, open_database
from models.failures import is_connection_failure
from models.settings import Settings
from models.worker_heartbeats import count_live_workers, this_host

# A health check that hangs is a failed one; orchestrators kill it anyway.
CHECK_TIMEOUT_SECONDS = 5.0
ALIVE = 0
NOT_ALIVE = 1


async def _live_workers_here(settings: Settings) -> int:
    async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
        await open_database(settings.database_url)
        try:
            return await count_live_workers(
                settings.worker_heartbeat_timeout_seconds, settings.queue_name, host=this_host()
            )
        finally:
            await close_database()


def check_worker(settings: Settings) -> int:
    where = f"queue {settings.queue_name} on {this_host()}"
    try:
        live = asyncio.run(_live_workers_here(settings))
    except TimeoutError:
        print(
            f"reports worker --check: no answer from the database within "
            f"{CHECK_TIMEOUT_SECONDS:g} s",
            file=sys.stderr,
        )
        return NOT_ALIVE
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        print(f"reports worker --check: the database is unreachable ({exc})", file=sys.stderr)
        return NOT_ALIVE
    if not live:
        print(
            f"reports worker --check: no worker of {where} has beaten within "
            f"{settings.worker_heartbeat_timeout_seconds:g} s",
            file=sys.stderr,
        )
        return NOT_ALIVE
    print(f"{live} worker{'' if live == 1 else 's'} of {where} alive")
    return ALIVE
