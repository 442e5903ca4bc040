"""A real API and worker whose whole output is kept in files, for tests that read logs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from models.settings import Settings
from service.processes import running_api_process, running_worker


@dataclass(frozen=True)
class LoggedService:
    url: str
    api_log: Path
    worker_log: Path


@contextlib.contextmanager
def logged_service(lab: Settings, folder: Path, log_level: str) -> Iterator[LoggedService]:
    """An API and a worker on `lab`, at `log_level`, writing to api.log and worker.log."""
    api_log, worker_log = folder / "api.log", folder / "worker.log"
    with (
        api_log.open("wb") as api_output,
        worker_log.open("wb") as worker_output,
        running_api_process(lab, output=api_output, log_level=log_level) as (url, _),
        running_worker(lab, output=worker_output, log_level=log_level),
    ):
        yield LoggedService(url, api_log, worker_log)
