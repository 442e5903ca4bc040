"""The job's shape is declared once: every column is published or deliberately kept inside."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os

import pytest
from redis.asyncio import Redis

from models.job_snapshots import INTERNAL_COLUMNS, JobSnapshot
from models.redis_keys import account_channel, event_hub_client_name
from models.report_jobs import ReportJob
from models.settings import Settings
from schema.live.job_event_hub import RESYNC, JobEventHub
from schema.types.report_jobs import ReportJob as GraphQLReportJob
from tests.support.snapshots import job_snapshot

WAIT_SECONDS = 5


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


def test_the_graphql_type_copies_every_field_it_shares_with_the_snapshot() -> None:
    original = job_snapshot()
    node = GraphQLReportJob.from_snapshot(original)
    shared = {field.name for field in dataclasses.fields(JobSnapshot)} & {
        field.name for field in dataclasses.fields(GraphQLReportJob) if field.init
    }
    assert shared >= {"id", "status", "progress", "summary", "expires_at", "version"}
    for name in shared:
        assert getattr(node, name) == getattr(original, name), name


async def test_an_event_a_process_cannot_read_makes_its_subscribers_re_read(
    settings: Settings,
) -> None:
    """An event from another release (a field missing) is not dropped, nor read with a
    made-up value: the account's subscribers re-read their jobs from the database."""
    prefix = f"{settings.channel_prefix}-unreadable"
    hub = JobEventHub(
        settings.redis_url, prefix, client_name=event_hub_client_name(prefix, os.getpid())
    )
    await hub.start()
    redis = Redis.from_url(settings.redis_url)
    try:
        snapshot = job_snapshot()
        older = json.loads(snapshot.to_json())
        del older["title"]
        channel = account_channel(prefix, snapshot.account_id)
        async with hub.listen(snapshot.account_id) as listener:
            await redis.publish(channel, json.dumps(older))
            await redis.publish(channel, snapshot.to_json())
            assert await asyncio.wait_for(listener.next(), WAIT_SECONDS) is RESYNC
            assert await asyncio.wait_for(listener.next(), WAIT_SECONDS) == snapshot
    finally:
        await redis.aclose()
        await hub.stop()
