"""What the worker process opens at start-up and every task uses: one typed context.

arq hands each task a dict; the only key of ours in it is WORKER_CONTEXT, read
through `WorkerContext.of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from arq.connections import ArqRedis

from models.clock import Clock
from models.job_events import JobEventPublisher
from models.settings import Settings
from workers.fair_share import SlotTurns
from workers.renderers.base import RenderResources
from workers.storage import ReportStorage

WORKER_CONTEXT = "reports"


@dataclass(frozen=True, slots=True)
class WorkerContext:
    settings: Settings
    # arq's pool: enqueues attempts.
    queue: ArqRedis
    publisher: JobEventPublisher
    render_resources: RenderResources
    # This worker's starts, one account at a time (workers/fair_share.py).
    slot_turns: SlotTurns
    # What schedules read the time from (a test may set it).
    clock: Clock
    # Sends webhooks (workers/delivery/webhook_sender.py).
    http: httpx.AsyncClient
    # Where report files are written, read and deleted (STORAGE_URL).
    storage: ReportStorage
    # This run of the worker process: what its RUNNING jobs name, and its heartbeat.
    worker_id: str

    @classmethod
    def of(cls, ctx: dict[str, Any]) -> WorkerContext:
        """The context on_startup left in arq's ctx."""
        context: WorkerContext = ctx[WORKER_CONTEXT]
        return context
