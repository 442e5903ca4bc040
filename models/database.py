"""Tortoise ORM configuration and lifecycle, shared by the API, workers and CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.context import set_global_context
from tortoise.migrations.api import migrate

MODEL_MODULES = [
    "models.accounts",
    "models.catalog",
    "models.orders",
    "models.report_jobs",
    "models.schedules",
    "models.worker_heartbeats",
]
APP_LABEL = "models"
# The one connection every model uses; raw statements run on it too.
CONNECTION = "default"


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite:")


def tortoise_config(database_url: str) -> dict[str, Any]:
    if is_sqlite(database_url):
        path = database_url.removeprefix("sqlite://")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {CONNECTION: database_url},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": CONNECTION,
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(database_url: str) -> None:
    """Connect Tortoise for this process; every task sees it (global fallback)."""
    # Tortoise keeps its connections in a context of the task that opened them; the
    # API's lifespan and arq's start-up are not the tasks that serve requests and jobs.
    set_global_context(await Tortoise.init(config=tortoise_config(database_url)))


async def close_database() -> None:
    await Tortoise.close_connections()


async def migrate_database(database_url: str) -> None:
    """Apply every pending migration; safe to run again."""
    await migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


def __getattr__(name: str) -> Any:
    # `tortoise -c models.database.TORTOISE_ORM makemigrations` reads this; it is
    # built on demand so that importing the module reads no settings.
    if name == "TORTOISE_ORM":
        from models.settings import get_settings

        return tortoise_config(get_settings().database_url)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
