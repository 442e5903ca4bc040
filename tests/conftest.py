"""Fixtures against the real PostgreSQL and Redis.

Each run gets its own database (created and dropped here), its own Redis DB
number, queue name and channel prefix, so runs can repeat and sit beside a
dev server. When nothing answers on the default Redis port, a private
redis-server is started for the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from app import create_app
from client.embedded_redis import EmbeddedRedis, redis_answers
from client.graphql_client import ReportsClient
from models.database import migrate_database
from models.report_jobs import ReportJob
from models.settings import Settings
from tests.documents import REGISTER
from tests.services import running_api, running_worker

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_DB = 13


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    configured = os.environ.get("TEST_REDIS_URL")
    if configured:
        yield configured
    elif redis_answers("127.0.0.1", 6379):
        yield f"redis://127.0.0.1:6379/{REDIS_TEST_DB}"
    else:
        with EmbeddedRedis() as embedded:
            yield embedded.url


@pytest.fixture(scope="session")
async def database_url(run_id: str) -> AsyncIterator[str]:
    name = f"reports_test_{run_id}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.exit(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}", returncode=3)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def settings(
    database_url: str, redis_url: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        reports_dir=tmp_path_factory.mktemp("reports"),
        secret_key=f"test-secret-key-{run_id}",
        environment="test",
        queue_name=f"reports-test-{run_id}:queue",
        channel_prefix=f"reports-test-{run_id}",
        worker_poll_delay_seconds=0.01,
        progress_interval_seconds=0.05,
        read_chunk_rows=50,
    )
    await migrate_database(database_url)
    return settings


def isolated(settings: Settings, name: str) -> Settings:
    """Settings sharing the database but with their own queue and channels."""
    return replace(
        settings,
        queue_name=f"{settings.queue_name}-{name}",
        channel_prefix=f"{settings.channel_prefix}-{name}",
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The ASGI app with its lifespan running; also gives this process its Tortoise."""
    application = create_app(settings)
    async with LifespanManager(application) as manager:
        yield manager.app  # type: ignore[misc]
        await _forget_arq_jobs(settings)


async def _forget_arq_jobs(settings: Settings) -> None:
    job_ids = {str(job_id) for job_id in await ReportJob.all().values_list("id", flat=True)}
    client = redis.Redis.from_url(settings.redis_url)
    try:
        doomed = [
            key
            for key in client.scan_iter(match="arq:*generate_report:*", count=1000)
            if key.decode().split(":")[-2] in job_ids
        ]
        doomed += list(client.scan_iter(match=f"{settings.queue_name}*"))
        doomed += list(client.scan_iter(match=f"{settings.channel_prefix}*"))
        if doomed:
            client.delete(*doomed)
    finally:
        client.close()


@pytest.fixture(scope="session")
def worker(settings: Settings) -> Iterator[None]:
    """One real `reports worker` process consuming the run's queue."""
    with running_worker(settings):
        yield


@pytest.fixture(scope="session")
def api_url(settings: Settings, app: Starlette) -> Iterator[str]:
    """A real uvicorn process serving the API (for WebSockets and the wire)."""
    with running_api(settings) as base_url:
        yield base_url


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[ReportsClient]:
    """A client of the in-process app, not signed in."""
    transport = httpx.ASGITransport(app=app)
    async with ReportsClient("http://testserver", transport=transport) as client:
        yield client


async def register(client: ReportsClient) -> dict[str, Any]:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    data = await client.execute(REGISTER, {"email": email, "password": "correct horse battery"})
    client.token = data["register"]["token"]
    result: dict[str, Any] = data["register"]
    return result


@pytest.fixture
async def user(anonymous: ReportsClient) -> ReportsClient:
    """A client of the in-process app, signed in to a fresh account."""
    await register(anonymous)
    return anonymous


@pytest.fixture
async def other_user(app: Starlette) -> AsyncIterator[ReportsClient]:
    """A second, unrelated account."""
    transport = httpx.ASGITransport(app=app)
    async with ReportsClient("http://testserver", transport=transport) as client:
        await register(client)
        yield client


@pytest.fixture
def reports_dir(settings: Settings) -> Path:
    return settings.reports_dir
