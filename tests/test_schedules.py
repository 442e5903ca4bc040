"""Schedules through the API: what they answer, what they refuse, and what they change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.exceptions import IntegrityError

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.schedules import ReportSchedule, ScheduleRun
from tests.support.documents import (
    CREATE_SCHEDULE,
    DELETE_SCHEDULE,
    REPORT_JOB,
    RUN_SCHEDULE_NOW,
    SCHEDULE,
    SCHEDULES,
    SET_SCHEDULE_ENABLED,
    UPDATE_SCHEDULE,
)
from tests.support.factories import create_schedule
from tests.support.stacks import SignedInClientFactory, StackFactory

WEEKLY = {"name": "Monday sales", "cron": "0 7 * * MON", "timeZone": "Europe/Berlin"}


async def schedule_count(client: ReportsClient) -> int:
    count: int = (await client.execute(SCHEDULES))["reportSchedules"]["totalCount"]
    return count


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


async def test_a_schedule_is_created_with_its_next_run_in_its_zone(user: ReportsClient) -> None:
    before = datetime.now(UTC)
    schedule = await create_schedule(
        user,
        **WEEKLY,
        period="PREVIOUS_WEEK",
        title="  Weekly  ",
        deliverTo=[{"email": "Boss@Example.com"}, {"webhookUrl": "http://127.0.0.1:9/hook"}],
    )
    assert schedule["cron"] == "0 7 * * MON" and schedule["timeZone"] == "Europe/Berlin"
    assert schedule["title"] == "Weekly" and schedule["priority"] == "NORMAL"
    assert schedule["enabled"] is True and schedule["lastRunAt"] is None
    assert schedule["deliverTo"] == [
        {"channel": "EMAIL", "target": "boss@example.com"},
        {"channel": "WEBHOOK", "target": "http://127.0.0.1:9/hook"},
    ]
    next_run = parse(schedule["nextRunAt"])
    assert before < next_run <= before + timedelta(days=7)
    local = next_run.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (0, 7, 0), "Monday 07:00 in Berlin"


async def test_disabled_it_has_no_next_run_and_enabled_again_none_in_the_past(
    user: ReportsClient,
) -> None:
    schedule = await create_schedule(user, name="Minutely", cron="* * * * *")
    disabled = (await user.execute(SET_SCHEDULE_ENABLED, {"id": schedule["id"], "enabled": False}))[
        "setReportScheduleEnabled"
    ]
    assert disabled["enabled"] is False and disabled["nextRunAt"] is None
    enabled_at = datetime.now(UTC)
    enabled = (await user.execute(SET_SCHEDULE_ENABLED, {"id": schedule["id"], "enabled": True}))[
        "setReportScheduleEnabled"
    ]
    assert enabled["enabled"] is True
    assert enabled_at < parse(enabled["nextRunAt"]) <= enabled_at + timedelta(minutes=1)
    again = (await user.execute(SET_SCHEDULE_ENABLED, {"id": schedule["id"], "enabled": True}))[
        "setReportScheduleEnabled"
    ]
    assert again["nextRunAt"] == enabled["nextRunAt"], "enabling an enabled one moves nothing"
    created_disabled = await create_schedule(user, name="Off", cron="0 7 * * *", enabled=False)
    assert created_disabled["nextRunAt"] is None


async def test_update_replaces_everything_and_reads_the_calendar_again(
    user: ReportsClient,
) -> None:
    schedule = await create_schedule(user, **WEEKLY)
    changed = {
        "name": "Daily inventory",
        "kind": "INVENTORY",
        "format": "PDF",
        "priority": "HIGH",
        "cron": "30 6 * * *",
        "timeZone": "America/New_York",
        "period": "PREVIOUS_DAY",
    }
    updated = (await user.execute(UPDATE_SCHEDULE, {"id": schedule["id"], "input": changed}))[
        "updateReportSchedule"
    ]
    for field, value in changed.items():
        assert updated[field] == value, field
    assert updated["deliverTo"] == [] and updated["title"] is None
    local = parse(updated["nextRunAt"]).astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (6, 30)


async def test_run_now_makes_a_job_and_a_run_newest_first(user: ReportsClient) -> None:
    schedule = await create_schedule(user, **WEEKLY, period="PREVIOUS_DAY", title="Now")
    first = (await user.execute(RUN_SCHEDULE_NOW, {"id": schedule["id"]}))["runReportScheduleNow"]
    second = (await user.execute(RUN_SCHEDULE_NOW, {"id": schedule["id"]}))["runReportScheduleNow"]
    assert first["job"]["status"] == "PENDING"
    yesterday = (
        parse(first["scheduledFor"]).astimezone(ZoneInfo("Europe/Berlin"))
    ).date() - timedelta(days=1)
    assert first["job"]["dateFrom"] == first["job"]["dateTo"] == yesterday.isoformat()
    read = (await user.execute(SCHEDULE, {"id": schedule["id"]}))["reportSchedule"]
    assert read["runs"]["totalCount"] == 2
    assert [edge["node"]["id"] for edge in read["runs"]["edges"]] == [second["id"], first["id"]]
    assert read["lastRunAt"] == second["scheduledFor"]
    assert read["nextRunAt"] == schedule["nextRunAt"], "a run now leaves the calendar alone"
    job = (await user.execute(REPORT_JOB, {"id": first["job"]["id"]}))["reportJob"]
    assert job["schedule"] == {"id": schedule["id"]}
    assert (job["kind"], job["format"], job["title"]) == ("SALES", "CSV", "Now")


async def test_deleting_a_schedule_keeps_its_jobs(user: ReportsClient) -> None:
    schedule = await create_schedule(user, **WEEKLY)
    run = (await user.execute(RUN_SCHEDULE_NOW, {"id": schedule["id"]}))["runReportScheduleNow"]
    assert (await user.execute(DELETE_SCHEDULE, {"id": schedule["id"]})) == {
        "deleteReportSchedule": True
    }
    assert (await user.execute(SCHEDULE, {"id": schedule["id"]})) == {"reportSchedule": None}
    job = (await user.execute(REPORT_JOB, {"id": run["job"]["id"]}))["reportJob"]
    assert job is not None and job["schedule"] is None
    with pytest.raises(GraphQLResponseError) as caught:
        await user.execute(DELETE_SCHEDULE, {"id": schedule["id"]})
    assert caught.value.codes == ["NOT_FOUND"]


async def test_schedules_page_newest_first(user: ReportsClient) -> None:
    made = [await create_schedule(user, name=f"S{i}", cron="0 7 * * *") for i in range(3)]
    first = (await user.execute(SCHEDULES, {"first": 2}))["reportSchedules"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = (await user.execute(SCHEDULES, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "reportSchedules"
    ]
    names = [edge["node"]["name"] for edge in first["edges"] + rest["edges"]]
    assert names == [s["name"] for s in reversed(made)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cron": "0 7 * *"}, "cron"),
        ({"cron": "0 25 * * *"}, "cron"),
        ({"cron": "0 0 31 4 *"}, "cron"),
        ({"cron": "@daily"}, "cron"),
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"timeZone": "../../etc/passwd"}, "timeZone"),
        ({"name": "   "}, "name"),
        ({"priority": "URGENT"}, "priority"),
        ({"deliverTo": [{}]}, "deliverTo"),
        (
            {"deliverTo": [{"email": "a@example.com", "webhookUrl": "http://x.example/"}]},
            "deliverTo",
        ),
        ({"deliverTo": [{"email": "not an email"}]}, "deliverTo"),
        ({"deliverTo": [{"webhookUrl": "ftp://files.example.com/"}]}, "deliverTo"),
        ({"deliverTo": [{"email": f"u{i}@example.com"} for i in range(11)]}, "deliverTo"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    user: ReportsClient, change: dict[str, Any], field: str
) -> None:
    schedule = await create_schedule(user, **WEEKLY)
    before = await ReportSchedule.get(id=schedule["id"])
    bad = {"kind": "SALES", "format": "CSV", **WEEKLY, **change}
    with pytest.raises(GraphQLResponseError) as caught:
        await user.execute(CREATE_SCHEDULE, {"input": bad})
    assert caught.value.codes == ["BAD_USER_INPUT"]
    assert caught.value.errors[0]["extensions"]["field"] == field
    with pytest.raises(GraphQLResponseError) as caught:
        await user.execute(UPDATE_SCHEDULE, {"id": schedule["id"], "input": bad})
    assert caught.value.errors[0]["extensions"]["field"] == field
    assert await schedule_count(user) == 1
    after = await ReportSchedule.get(id=schedule["id"])
    assert (after.name, after.cron, after.time_zone, after.next_run_at) == (
        before.name,
        before.cron,
        before.time_zone,
        before.next_run_at,
    )


async def test_outside_development_a_private_webhook_is_refused(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    production = await stack(
        "schedules-production",
        environment="production",
        secret_key="a-production-secret-that-is-long-enough-0123456789",
    )
    client = await signed_in_client(production)
    for url in ("http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.0.0.5/x"):
        with pytest.raises(GraphQLResponseError) as caught:
            await create_schedule(client, **WEEKLY, deliverTo=[{"webhookUrl": url}])
        assert caught.value.errors[0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "deliverTo",
        }, url
    made = await create_schedule(
        client, **WEEKLY, deliverTo=[{"webhookUrl": "https://example.com/h"}]
    )
    assert made["deliverTo"] == [{"channel": "WEBHOOK", "target": "https://example.com/h"}]


async def test_one_run_per_occurrence_is_kept_by_the_database(user: ReportsClient) -> None:
    """The unique key itself, whatever the code in front of it does."""
    schedule = await create_schedule(user, **WEEKLY)
    moment = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    await ScheduleRun.create(schedule_id=schedule["id"], scheduled_for=moment)
    with pytest.raises(IntegrityError):
        await ScheduleRun.create(schedule_id=schedule["id"], scheduled_for=moment)
