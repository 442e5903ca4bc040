"""The job's shape is declared once: every column is published or deliberately kept inside."""

from __future__ import annotations

import dataclasses
import json

import pytest

from models.job_snapshots import INTERNAL_COLUMNS, JobSnapshot
from models.report_jobs import ReportJob
from schema.types.report_jobs import ReportJob as GraphQLReportJob
from tests.support.snapshots import job_snapshot


# Tortoise names foreign-key columns once its models are initialised, as the app does.
@pytest.mark.usefixtures("app")
def test_every_column_is_in_the_snapshot_or_declared_internal() -> None:
    described = ReportJob.describe()
    columns = {described["pk_field"]["db_column"]}
    columns |= {field["db_column"] for field in described["data_fields"]}
    snapshot = {field.name for field in dataclasses.fields(JobSnapshot)}
    assert columns - INTERNAL_COLUMNS == snapshot, (
        "a new column goes into JobSnapshot (and the GraphQL type if clients should see it), "
        "or into INTERNAL_COLUMNS"
    )
    assert not INTERNAL_COLUMNS & snapshot


def test_an_event_decodes_to_the_snapshot_it_was_encoded_from() -> None:
    original = job_snapshot()
    assert JobSnapshot.from_json(original.to_json()) == original


def test_an_event_from_a_release_behind_lacks_new_optional_fields_and_still_decodes() -> None:
    original = job_snapshot()
    older = json.loads(original.to_json())
    del older["title"], older["summary"]
    decoded = JobSnapshot.from_json(json.dumps(older))
    assert decoded == dataclasses.replace(original, title=None, summary=None)

    del older["status"]
    with pytest.raises(KeyError):
        JobSnapshot.from_json(json.dumps(older))


def test_the_graphql_type_copies_every_field_it_shares_with_the_snapshot() -> None:
    original = job_snapshot()
    node = GraphQLReportJob.from_snapshot(original)
    shared = {field.name for field in dataclasses.fields(JobSnapshot)} & {
        field.name for field in dataclasses.fields(GraphQLReportJob) if field.init
    }
    assert shared >= {"id", "status", "progress", "summary", "expires_at", "version"}
    for name in shared:
        assert getattr(node, name) == getattr(original, name), name
