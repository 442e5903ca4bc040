"""Since when this worker process has reached the database without a break.

Workers cannot beat, or renew leases, while the database is away; when it
returns every heartbeat and lease looks stale. Before treating a silent worker
as dead, a worker checks that it has itself reached the database for at least
as long as the silence it is judging. Kept for the process, not for one run of
the worker: a Redis outage restarts the run, not the database's continuity.

A failed call breaks the continuity, and so does a long silence of this process's
own (no run up while Redis was away, the process paused, its loop stalled): the
database may have been away meanwhile without this process noticing.
"""

from __future__ import annotations

import time


class DatabaseUptime:
    def __init__(self, longest_gap_seconds: float) -> None:
        """`longest_gap_seconds`: contacts further apart than this break the continuity."""
        self._longest_gap = longest_gap_seconds
        self._up_since: float | None = None
        self._last_contact = 0.0

    def reached(self) -> None:
        """The database just answered this process."""
        now = time.monotonic()
        if self._up_since is None or now - self._last_contact > self._longest_gap:
            self._up_since = now
        self._last_contact = now

    def lost(self) -> None:
        """The database just failed to answer this process."""
        self._up_since = None

    def up_for(self) -> float:
        """Seconds the database has answered without a break (0 if it has not yet)."""
        return 0.0 if self._up_since is None else time.monotonic() - self._up_since
