"""The job's shape is declared once: every column is published or deliberately kept inside."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from models.job_snapshots import INTERNAL_COLUMNS, JobSnapshot
from models.report_jobs import JobStatus, Priority, ReportFormat, ReportJob, ReportKind
from schema.types.report_jobs import ReportJob as GraphQLReportJob


# Tortoise names foreign-key columns once its models are initialised, as the app does.
@pytest.mark.usefixtures("app")
def test_every_column_is_in_the_snapshot_or_declared_internal() -> None:
    columns = set(ReportJob._meta.db_fields)
    snapshot = {field.name for field in dataclasses.fields(JobSnapshot)}
    assert columns - INTERNAL_COLUMNS == snapshot, (
        "a new column goes into JobSnapshot (and the GraphQL type if clients should see it), "
        "or into INTERNAL_COLUMNS"
    )
    assert not INTERNAL_COLUMNS & snapshot


def snapshot() -> JobSnapshot:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    return JobSnapshot(
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
    )


def test_an_event_decodes_to_the_snapshot_it_was_encoded_from() -> None:
    original = snapshot()
    assert JobSnapshot.from_json(original.to_json()) == original


def test_the_graphql_type_copies_every_field_it_shares_with_the_snapshot() -> None:
    original = snapshot()
    node = GraphQLReportJob.from_snapshot(original)
    shared = {field.name for field in dataclasses.fields(JobSnapshot)} & {
        field.name for field in dataclasses.fields(GraphQLReportJob) if field.init
    }
    assert shared >= {"id", "status", "progress", "summary", "expires_at", "version"}
    for name in shared:
        assert getattr(node, name) == getattr(original, name), name
