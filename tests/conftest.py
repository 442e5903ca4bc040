"""Fixtures against the real PostgreSQL and Redis.

Each run gets its own database (created and dropped here), its own Redis DB
number, queue name and channel prefix, so runs can repeat and sit beside a
dev server. When nothing answers on the default Redis port, a private
redis-server is started for the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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
from client.graphql_client import ReportsClient
from models.database import migrate_database
from models.redis_keys import ARQ_JOB_KEY_PREFIXES
from models.settings import Settings
from service.embedded_redis import EmbeddedRedis, redis_answers
from service.processes import running_api, running_worker
from tests.documents import REGISTER
from workers.queue import attempt_job_id

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
async def databases(run_id: str, redis_url: str) -> AsyncIterator[Databases]:
    """Creates the run's databases from one migrated template; drops them all at the end,
    with everything the run left in Redis."""
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.exit(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}", returncode=3)
    created = Databases(admin, f"reports_test_{run_id}")
    try:
        await created.create_template()
        yield created
    finally:
        await forget_redis_keys(redis_url, f"reports-test-{run_id}", await created.job_ids())
        await created.drop_all()
        await admin.close()


async def forget_redis_keys(redis_url: str, prefix: str, job_ids: set[str]) -> None:
    """Delete the run's queues, channels' keys and arq's records of its jobs."""
    client = redis.Redis.from_url(redis_url)
    try:
        doomed = [
            key
            for arq_prefix in ARQ_JOB_KEY_PREFIXES
            for key in client.scan_iter(match=arq_prefix + attempt_job_id("*", "*"), count=1000)
            if key.decode().split(":")[-2] in job_ids
        ]
        doomed += list(client.scan_iter(match=f"{prefix}*", count=1000))
        if doomed:
            client.delete(*doomed)
    finally:
        client.close()


class Databases:
    def __init__(self, admin: asyncpg.Connection, prefix: str) -> None:
        self._admin = admin
        self._prefix = prefix
        self._names: list[str] = []

    def url(self, name: str) -> str:
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    async def create_template(self) -> None:
        template = f"{self._prefix}_template"
        await self._admin.execute(f'CREATE DATABASE "{template}"')
        self._names.append(template)
        await migrate_database(self.url(template))

    async def create(self, suffix: str) -> str:
        """A fresh, migrated database (a copy of the template); its URL."""
        name = f"{self._prefix}_{suffix}".replace("-", "_")
        await self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._prefix}_template"')
        self._names.append(name)
        return self.url(name)

    async def job_ids(self) -> set[str]:
        ids: set[str] = set()
        for name in self._names[1:]:
            connection = await asyncpg.connect(self.url(name))
            try:
                ids |= {str(row[0]) for row in await connection.fetch("SELECT id FROM report_job")}
            finally:
                await connection.close()
        return ids

    async def drop_all(self) -> None:
        for name in reversed(self._names):
            await self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def settings(
    databases: Databases, redis_url: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The main stack: the in-process app, the session worker, the session API."""
    return Settings(
        database_url=await databases.create("main"),
        redis_url=redis_url,
        reports_dir=tmp_path_factory.mktemp("reports"),
        secret_key=f"test-secret-key-{run_id}",
        environment="test",
        queue_name=f"reports-test-{run_id}:queue",
        channel_prefix=f"reports-test-{run_id}",
        worker_poll_delay_seconds=0.01,
        progress_interval_seconds=0.05,
        read_chunk_rows=50,
        # Tests make many requests from one account and address; the limits
        # themselves are tested on stacks that set them low.
        rate_limit_reports=100_000,
        rate_limit_logins=100_000,
        rate_limit_websockets=100_000,
    )


StackFactory = Callable[..., Awaitable[Settings]]


@pytest.fixture(scope="session")
def stack(
    settings: Settings, databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> StackFactory:
    """Settings for a stack of its own: database, queue, channels and files.

    Its processes (running_api, running_worker) share nothing with the main
    stack, so a test can stop, slow down or break them without touching others.
    """

    async def make(name: str, **overrides: Any) -> Settings:
        return replace(
            settings,
            database_url=await databases.create(name),
            queue_name=f"{settings.queue_name}-{name}",
            channel_prefix=f"{settings.channel_prefix}-{name}",
            reports_dir=tmp_path_factory.mktemp(f"reports-{name}"),
            **overrides,
        )

    return make


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The ASGI app with its lifespan running; also gives this process its Tortoise."""
    application = create_app(settings)
    async with LifespanManager(application) as manager:
        yield manager.app  # type: ignore[misc]


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
