"""The API process's shared resources, opened in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from arq.connections import ArqRedis

from models.job_events import JobEventPublisher
from models.settings import Settings
from schema.job_event_hub import JobEventHub
from schema.rate_limits import RateLimiter
from schema.sessions import CheckedSessions, SessionSockets


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    # arq's pool: enqueues report jobs, and publishes job events.
    queue: ArqRedis
    publisher: JobEventPublisher
    hub: JobEventHub
    rate_limiter: RateLimiter
    session_sockets: SessionSockets
    checked_sessions: CheckedSessions
