"""What the worker process opens at start-up and every task uses."""

from __future__ import annotations

from dataclasses import dataclass

from models.job_events import JobEventPublisher
from models.settings import Settings
from workers.renderers.base import RenderResources


@dataclass(frozen=True, slots=True)
class WorkerContext:
    settings: Settings
    publisher: JobEventPublisher
    render_resources: RenderResources
