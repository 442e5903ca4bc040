"""Fixtures against the real PostgreSQL and Redis (helpers are in tests/support/).

Each run gets its own database (created and dropped here), its own Redis DB
number, queue name and channel prefix, so runs can repeat and sit beside a
dev server. When nothing answers on the default Redis port, a private
redis-server is started for the run.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from app import create_app
from client.graphql_client import ReportsClient
from models.settings import Settings
from service.embedded_redis import EmbeddedRedis, redis_answers
from service.processes import running_api, running_worker
from tests.support.clients import in_process_client, register
from tests.support.databases import (
    POSTGRES_ADMIN_URL,
    REDIS_TEST_DB,
    Databases,
    forget_redis_keys,
)
from tests.support.dev_server import running_dev
from tests.support.stacks import SignedInClientFactory, StackFactory


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
        rate_limit_sockets_per_address=100_000,
    )


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
    async with LifespanManager(application):
        yield application


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
async def signed_in_client() -> AsyncIterator[SignedInClientFactory]:
    """`await signed_in_client(target)`: a client of a new account on a running API.

    `target` is a base URL (such as `api_url`), or a stack's settings: a real API
    is then started for that stack, one per stack, until the test ends. The
    clients are closed, and the APIs stopped, after the test.
    """
    clients: list[ReportsClient] = []
    with contextlib.ExitStack() as apis:
        urls: dict[Settings, str] = {}

        async def sign_in(target: str | Settings) -> ReportsClient:
            if isinstance(target, Settings):
                if target not in urls:
                    urls[target] = apis.enter_context(running_api(target))
                target = urls[target]
            client = ReportsClient(target)
            clients.append(client)
            await register(client)
            return client

        try:
            yield sign_in
        finally:
            for client in clients:
                await client.aclose()


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[ReportsClient]:
    """A client of the in-process app, not signed in."""
    async with in_process_client(app) as client:
        yield client


@pytest.fixture
async def user(anonymous: ReportsClient) -> ReportsClient:
    """A client of the in-process app, signed in to a fresh account."""
    await register(anonymous)
    return anonymous


@pytest.fixture
async def other_user(app: Starlette) -> AsyncIterator[ReportsClient]:
    """A second, unrelated account."""
    async with in_process_client(app) as client:
        await register(client)
        yield client


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """`reports dev` run from the test's own folder, as a newcomer runs it (SQLite under
    ./data/): its URL, and what it printed as it started. Stopped with Ctrl-C after."""
    with running_dev(tmp_path) as started:
        yield started


@pytest.fixture
def private_redis() -> Iterator[EmbeddedRedis]:
    """A Redis server of the test's own, to stop, hang and start again at will."""
    server = EmbeddedRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
