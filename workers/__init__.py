"""Background workers: arq settings, the report task, report builders and renderers.

`arq workers.WorkerSettings` works: the class is built from the environment
when first asked for, so importing this package reads nothing and opens nothing.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "WorkerSettings":
        from models.settings import get_settings
        from workers.worker_settings import build_worker_settings

        return build_worker_settings(get_settings())
    raise AttributeError(f"module 'workers' has no attribute {name!r}")
