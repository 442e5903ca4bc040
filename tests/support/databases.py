"""The run's own PostgreSQL databases (one migrated template, copied per stack), and the Redis
keys the run leaves behind."""

from __future__ import annotations

import os

import asyncpg
import redis

from models.database import migrate_database
from models.redis_keys import ARQ_JOB_KEY_PREFIXES
from workers.queue import ATTEMPT_JOB_ID_PATTERN

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
# The Redis database the run uses on a shared server, away from a dev server's DB 0.
REDIS_TEST_DB = 13


class Databases:
    """Databases named after the run, created from one migrated template and dropped at the end."""

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


async def forget_redis_keys(redis_url: str, prefix: str, job_ids: set[str]) -> None:
    """Delete the run's queues, channels' keys and arq's records of its jobs."""
    client = redis.Redis.from_url(redis_url)
    try:
        doomed = [
            key
            for arq_prefix in ARQ_JOB_KEY_PREFIXES
            for key in client.scan_iter(match=arq_prefix + ATTEMPT_JOB_ID_PATTERN, count=1000)
            if key.decode().split(":")[-2] in job_ids
        ]
        doomed += list(client.scan_iter(match=f"{prefix}*", count=1000))
        if doomed:
            client.delete(*doomed)
    finally:
        client.close()
