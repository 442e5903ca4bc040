"""Since when this worker process has reached the database without a break.

Workers cannot beat, or renew leases, while the database is away; when it
returns every heartbeat and lease looks stale. Before treating a silent worker
as dead, a worker checks that it has itself reached the database for at least
as long as the silence it is judging. Kept for the process, not for one run of
the worker: a Redis outage restarts the run, not the database's continuity.
"""

from __future__ import annotations

import time


class DatabaseUptime:
    def __init__(self) -> None:
        self._up_since: float | None = None

    def reached(self) -> None:
        """The database just answered this process."""
        if self._up_since is None:
            self._up_since = time.monotonic()

    def lost(self) -> None:
        """The database just failed to answer this process."""
        self._up_since = None

    def up_for(self) -> float:
        """Seconds the database has answered without a break (0 if it has not yet)."""
        return 0.0 if self._up_since is None else time.monotonic() - self._up_since
