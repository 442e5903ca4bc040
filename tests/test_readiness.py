"""What an orchestrator asks: /healthz (the process is up), /readyz (PostgreSQL and Redis
answer, the schema is migrated), and `reports worker --check` (a worker here is alive)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from dataclasses import replace
from typing import Any

import asyncpg
import httpx

from models.database import migrations_on_disk
from models.settings import Settings
from service.embedded_redis import EmbeddedRedis
from service.processes import (
    PROJECT_ROOT,
    REPORTS_COMMAND,
    running_api,
    running_worker,
    service_env,
)
from tests.support.private_postgres import on_private_postgres
from tests.support.stacks import StackFactory
from tests.support.waiting import eventually

READY = {"database": "ok", "redis": "ok", "migrations": "ok"}


async def ready(url: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{url}/readyz")
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, response.json()


async def wait_ready(url: str, status: int, timeout: float = 20) -> dict[str, Any]:
    _, body = await eventually(
        lambda: ready(url),
        lambda answer: answer[0] == status,
        what=f"/readyz {status}",
        timeout=timeout,
    )
    return body


async def test_healthz_answers_without_asking_anything(stack: StackFactory) -> None:
    lab = await stack("healthz")
    with running_api(lab) as url:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{url}/healthz")
            ready_now = await http.get(f"{url}/readyz")
            kept = await http.get(f"{url}/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert ready_now.status_code == 200
    assert ready_now.json() == {"status": "ready", "checks": READY, "failed": []}
    assert kept.status_code == 200 and kept.json()["status"] == "ok"


async def test_readyz_goes_503_while_postgresql_is_down_and_back(stack: StackFactory) -> None:
    async with on_private_postgres(await stack("readyz-pg")) as (lab, postgres):
        with running_api(lab) as url:
            assert (await ready(url))[0] == 200
            await asyncio.to_thread(postgres.stop)
            try:
                down = await wait_ready(url, 503)
                async with httpx.AsyncClient() as http:
                    alive = await http.get(f"{url}/healthz")
            finally:
                await asyncio.to_thread(postgres.start)
            back = await wait_ready(url, 200)
    assert down["status"] == "not ready" and down["failed"] == ["database", "migrations"]
    assert down["checks"]["database"] in {"unreachable", "no answer within 2 s"}
    assert down["checks"]["redis"] == "ok"
    assert alive.status_code == 200, "a database outage must not get the API restarted"
    assert back["checks"] == READY


async def test_readyz_goes_503_while_redis_is_down_and_back(
    stack: StackFactory, private_redis: EmbeddedRedis
) -> None:
    lab = await stack("readyz-redis", redis_url=private_redis.url)
    with running_api(lab) as url:
        assert (await ready(url))[0] == 200
        private_redis.stop()
        try:
            down = await wait_ready(url, 503)
        finally:
            private_redis.start()
        back = await wait_ready(url, 200)
    assert down["failed"] == ["redis"]
    assert down["checks"]["database"] == "ok" and down["checks"]["migrations"] == "ok"
    assert back["checks"] == READY


async def test_readyz_names_a_migration_not_applied(stack: StackFactory) -> None:
    lab = await stack("readyz-migrations")
    latest = migrations_on_disk()[-1]
    with running_api(lab) as url:
        connection = await asyncpg.connect(lab.database_url)
        try:
            await connection.execute("DELETE FROM tortoise_migrations WHERE name = $1", latest)
            code, behind = await ready(url)
            # Its tables are still there: recorded as applied again, as `migrate` would.
            await connection.execute(
                "INSERT INTO tortoise_migrations (app, name, applied_at) "
                "VALUES ('models', $1, now())",
                latest,
            )
        finally:
            await connection.close()
        back = await wait_ready(url, 200)
    assert code == 503 and behind["failed"] == ["migrations"]
    assert behind["checks"]["migrations"] == f"not applied: {latest}"
    assert back["checks"] == READY


def worker_check(lab: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REPORTS_COMMAND, "worker", "--check"],
        env=service_env(lab),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_worker_check_says_whether_a_worker_here_is_alive(stack: StackFactory) -> None:
    lab = await stack("worker-check")
    before = await asyncio.to_thread(worker_check, lab)
    with running_worker(lab) as worker:
        alive = await asyncio.to_thread(worker_check, lab)
        worker.send_signal(signal.SIGKILL)
        killed = await eventually(
            lambda: asyncio.to_thread(worker_check, lab),
            lambda result: result.returncode != 0,
            what="the killed worker to count as dead",
            timeout=30,
        )
    assert before.returncode == 1
    assert f"no worker of queue {lab.queue_name}" in before.stderr
    assert alive.returncode == 0, alive.stderr
    assert f"1 worker of queue {lab.queue_name}" in alive.stdout
    assert killed.returncode == 1


async def test_worker_check_fails_when_the_database_is_unreachable(stack: StackFactory) -> None:
    lab = await stack("worker-check-nodb")
    nowhere = replace(lab, database_url="postgres://postgres@127.0.0.1:1/reports")
    result = await asyncio.to_thread(worker_check, nowhere)
    assert result.returncode == 1
    assert "the database is unreachable" in result.stderr
    assert "Traceback" not in result.stderr
