"""What a command prints: readable lines and tables for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from client.generated.fragments import JobFields


class Output:
    """One command's output: `json_mode` prints one JSON document (or one per line
    for a stream) on stdout; otherwise text, with tables drawn when stdout is a
    terminal. Errors go to stderr either way."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.console = Console(highlight=False, soft_wrap=True)
        self.errors = Console(stderr=True, highlight=False, soft_wrap=True)

    @property
    def terminal(self) -> bool:
        return sys.stdout.isatty()

    def document(self, value: Any) -> None:
        """One JSON document (a model is dumped by its GraphQL field names)."""
        print(json.dumps(_plain(value)), flush=True)

    def line(self, text: str) -> None:
        if not self.json_mode:
            self.console.print(text, markup=False)

    def error(self, text: str) -> None:
        self.errors.print(f"reports: {text}", markup=False)

    def jobs(self, jobs: Sequence[JobFields]) -> None:
        if self.json_mode:
            self.document([_plain(job) for job in jobs])
            return
        header = ("id", "title", "kind", "format", "status", "progress", "created")
        rows = [
            (
                job.id,
                job.title or "",
                job.kind.value,
                job.format.value,
                job.status.value,
                f"{job.progress}%",
                job.created_at.isoformat(timespec="seconds"),
            )
            for job in jobs
        ]
        if not self.terminal:
            # Piped or in a cron mail: one line per job, tab-separated, nothing cut.
            for row in (header, *rows):
                print("\t".join(row))
            return
        table = Table(box=None, pad_edge=False)
        for column in header:
            table.add_column(column, no_wrap=column in ("id", "status", "created"))
        for row in rows:
            table.add_row(*row)
        self.console.print(table)

    def job(self, job: JobFields) -> None:
        if self.json_mode:
            self.document(job)
            return
        for name, value in describe_job(job):
            self.console.print(f"{name + ':':<11} {value}", markup=False)


def describe_job(job: JobFields) -> list[tuple[str, str]]:
    rows = [
        ("id", job.id),
        ("title", job.title or ""),
        ("report", f"{job.kind.value} {job.format.value}, {job.priority.value} priority"),
        (
            "status",
            f"{job.status.value} {job.progress}%" + (f" ({job.message})" if job.message else ""),
        ),
        ("attempts", str(job.attempts)),
        ("created", job.created_at.isoformat(timespec="seconds")),
    ]
    if job.error:
        rows.append(("error", job.error))
    if job.row_count is not None:
        rows.append(("rows", str(job.row_count)))
    for delivery in job.deliveries:
        rows.append(
            ("delivery", f"{delivery.channel.value} {delivery.target}: {delivery.status.value}")
        )
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
