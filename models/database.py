"""Tortoise ORM configuration and lifecycle, shared by the API, workers and CLI."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.context import set_global_context
from tortoise.migrations.api import migrate
from tortoise.migrations.recorder import MigrationRecorder

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
MIGRATIONS_PACKAGE = "models.migrations"


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
                "migrations": MIGRATIONS_PACKAGE,
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


def migrations_on_disk() -> list[str]:
    """The names of every migration this code ships (0001_initial, ...), in order."""
    package = importlib.import_module(MIGRATIONS_PACKAGE)
    names = (module.name for module in pkgutil.iter_modules(package.__path__))
    return sorted(name for name in names if name[:4].isdigit())


async def pending_migrations() -> list[str]:
    """The migrations this code ships that the open database has not applied."""
    connection = connections.get(CONNECTION)
    # Tortoise's own record of what `reports migrate` applied.
    applied = await MigrationRecorder(connection).applied_migrations()
    done = {key.name for key in applied if key.app_label == APP_LABEL}
    return [name for name in migrations_on_disk() if name not in done]


async def ping_database() -> None:
    """Raise unless the database answers a query now."""
    await connections.get(CONNECTION).execute_query("SELECT 1")


def __getattr__(name: str) -> Any:
    # `tortoise -c models.database.TORTOISE_ORM makemigrations` reads this; it is
    # built on demand so that importing the module reads no settings.
    if name == "TORTOISE_ORM":
        from models.settings import get_settings

        return tortoise_config(get_settings().database_url)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
