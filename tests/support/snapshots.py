"""Job snapshots made up for tests of what carries them, with every field filled."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from models.job_snapshots import JobSnapshot
from models.report_jobs import JobStatus, Priority, ReportFormat, ReportKind


def job_snapshot(**overrides: Any) -> JobSnapshot:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    completed = JobSnapshot(
        id=uuid4(),
        account_id=uuid4(),
        version=3,
        kind=ReportKind.SALES,
        format=ReportFormat.PDF,
        status=JobStatus.COMPLETED,
        title="Tea sales",
        date_from=date(2026, 11, 1),
        date_to=None,
        progress=100,
        message="Done",
        priority=Priority.HIGH,
        attempts=1,
        attempt_limit=None,
        error=None,
        row_count=12,
        file_size=3456,
        file_path="pdf/x.a1.pdf",
        summary={"orders": 3, "totalSales": "12.50"},
        created_at=now,
        started_at=now,
        finished_at=now,
        updated_at=now,
        expires_at=None,
        run_at=now,
        schedule_id=uuid4(),
        deliveries=[
            {
                "channel": "EMAIL",
                "target": "owner@example.com",
                "status": "SENT",
                "attempts": 1,
                "error": None,
                "sent_at": now.isoformat(),
            }
        ],
    )
    return dataclasses.replace(completed, **overrides)
