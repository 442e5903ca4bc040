"""A report job as the outside world sees it, built from a row or from an event.

The fields are declared once, here, named as the model's columns; reading a
row, encoding an event and decoding one are derived from them, and so is the
GraphQL type's copy (schema/types/report_jobs.py). A new column the outside
world should see is one field here (tests/test_job_shape.py fails until it is
either here or in INTERNAL_COLUMNS) plus its GraphQL field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

from models.deliveries import DeliveryStatus, records_of
from models.report_jobs import JobStatus, Priority, ReportFormat, ReportJob, ReportKind

# Columns that never leave the worker side: how the queue, the sweep and leases
# keep jobs moving. Renewing a lease is not a visible change (no new version),
# so these could not be published truthfully anyway.
INTERNAL_COLUMNS = frozenset(
    {"queued_version", "run_after", "lease_expires_at", "worker_id", "delivery_due_at"}
)


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    id: UUID
    account_id: UUID
    version: int
    kind: ReportKind
    format: ReportFormat
    status: JobStatus
    title: str | None
    date_from: date | None
    date_to: date | None
    progress: int
    message: str | None
    priority: Priority
    attempts: int
    attempt_limit: int | None
    error: str | None
    row_count: int | None
    file_size: int | None
    # Relative to REPORTS_DIR; never shown to clients (downloadUrl is).
    file_path: str | None
    summary: Any
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    expires_at: datetime | None
    run_at: datetime | None
    schedule_id: UUID | None
    # models/deliveries.py's records, as JSON: the job's row holds them that way.
    deliveries: Any

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def is_settled(self) -> bool:
        """Terminal, and none of its deliveries still to be sent: nothing more will change
        but its file expiring."""
        return self.is_terminal and not any(
            record.status is DeliveryStatus.PENDING for record in records_of(self.deliveries)
        )

    def is_downloadable(self, now: datetime) -> bool:
        return (
            self.status is JobStatus.COMPLETED
            and self.file_path is not None
            and (self.expires_at is None or self.expires_at > now)
        )

    @classmethod
    def from_model(cls, job: ReportJob) -> JobSnapshot:
        return cls._from_values(lambda name: getattr(job, name))

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), default=_encode_value, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> JobSnapshot:
        """The snapshot an event carries; KeyError if it lacks a field (an event from a
        release that did not have it), ValueError or TypeError if it is malformed."""
        data: Mapping[str, Any] = json.loads(raw)
        return cls._from_values(data.__getitem__)

    @classmethod
    def _from_values(cls, value_of: Callable[[str], Any]) -> JobSnapshot:
        return cls(**{name: convert(value_of(name)) for name, convert in _converters().items()})


def _encode_value(value: object) -> str:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} in a job event")


@cache
def _converters() -> dict[str, Callable[[Any], Any]]:
    """Per field, what turns a column's value or its JSON into the field's type."""
    hints = get_type_hints(JobSnapshot)
    return {field.name: _converter(hints[field.name]) for field in fields(JobSnapshot)}


def _converter(hint: Any) -> Callable[[Any], Any]:
    if get_origin(hint) in (Union, UnionType):
        (inner,) = (arg for arg in get_args(hint) if arg is not NoneType)
        convert = _converter(inner)
        return lambda value: None if value is None else convert(value)
    if hint is Any:
        return lambda value: value
    if hint is datetime:
        return lambda value: value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if hint is date:
        return lambda value: value if isinstance(value, date) else date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, UUID | Enum | int | str):
        # UUID(str(...)): drivers give UUIDs or their text; enums and numbers parse the same way.
        return lambda value: value if type(value) is hint else hint(str(value))
    raise TypeError(f"no conversion for a job field of type {hint!r}")
