"""Isolation, proven from the schema itself: every operation that takes an ID,
now and in the future, answers a second account as if the object did not exist."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLNamedType, GraphQLObjectType, build_schema, get_named_type

from client.graphql_client import GraphQLResponseError, ReportsClient
from schema.root import schema
from tests.support.clients import register
from tests.support.documents import ORDER, REPORT_JOB
from tests.support.factories import add_product, create_order, create_schedule, request_report
from tests.support.stacks import SignedInClientFactory
from tests.support.waiting import wait_for_job

GRAPHQL_SCHEMA = build_schema(schema.as_str())
# Operations whose result type does not say which object their id names.
ID_KIND_BY_FIELD = {
    "deleteReport": "ReportJob",
    "deleteReportSchedule": "ReportSchedule",
    "runReportScheduleNow": "ReportSchedule",
}
KINDS = {"Order", "ReportJob", "ReportSchedule"}
# Arguments besides the id, as a valid request would give them.
SCHEDULE_INPUT = {"name": "Mine now", "kind": "SALES", "format": "CSV", "cron": "0 7 * * *"}
OTHER_ARGUMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "updateReportSchedule": (", $input: ReportScheduleInput!", {"input": SCHEDULE_INPUT}),
    "setReportScheduleEnabled": (", $enabled: Boolean!", {"enabled": False}),
}
VICTIM_SCHEDULE = """
query($id: ID!) { reportSchedule(id: $id) { name enabled nextRunAt runs { totalCount } } }
"""


def id_taking_operations() -> list[tuple[str, str, str]]:
    """(operation keyword, field name, kind of object its id names) for every root field."""
    roots = {
        "query": GRAPHQL_SCHEMA.query_type,
        "mutation": GRAPHQL_SCHEMA.mutation_type,
        "subscription": GRAPHQL_SCHEMA.subscription_type,
    }
    found = []
    for keyword, root in roots.items():
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            if not any(get_named_type(arg.type).name == "ID" for arg in field.args.values()):
                continue
            result: GraphQLNamedType = get_named_type(field.type)
            kind = ID_KIND_BY_FIELD.get(name, result.name)
            assert kind in KINDS, (
                f"{keyword} {name} takes an ID: teach this test which object it names"
            )
            found.append((keyword, name, kind))
    return found


def request(keyword: str, name: str, target: str) -> tuple[str, dict[str, Any]]:
    """The operation on `target`, and its variables."""
    field = getattr(GRAPHQL_SCHEMA, f"{keyword}_type").fields[name]
    selection = (
        " { __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
    )
    declared, values = OTHER_ARGUMENTS.get(name, ("", {}))
    passed = "".join(f", {variable}: ${variable}" for variable in values)
    document = f"{keyword}($id: ID!{declared}) {{ {name}(id: $id{passed}){selection} }}"
    return document, {"id": target, **values}


@pytest.fixture(scope="module")
async def victim(api_url: str) -> dict[str, Any]:
    async with ReportsClient(api_url) as owner:
        await register(owner)
        await add_product(owner, "V-1", "Valuable", "9.99", stock=3)
        order = await create_order(owner, "Vic", "vic@example.com", [("V-1", 1)])
        job = await wait_for_job(
            owner, (await request_report(owner, kind="INVENTORY", format="CSV"))["id"]
        )
        schedule = await create_schedule(owner, name="Mine", cron="0 7 * * *")
        return {"token": owner.token, "Order": order, "ReportJob": job, "ReportSchedule": schedule}


@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize(("keyword", "name", "kind"), id_taking_operations())
async def test_another_account_cannot_see_or_touch_it(
    api_url: str,
    victim: dict[str, Any],
    keyword: str,
    name: str,
    kind: str,
    signed_in_client: SignedInClientFactory,
) -> None:
    document, variables = request(keyword, name, victim[kind]["id"])
    intruder = await signed_in_client(api_url)
    if keyword == "query":
        assert await intruder.execute(document, variables) == {name: None}
    elif keyword == "mutation":
        with pytest.raises(GraphQLResponseError) as caught:
            await intruder.execute(document, variables)
        assert caught.value.codes == ["NOT_FOUND"]
    else:
        with pytest.raises(GraphQLResponseError) as caught:
            async for _ in intruder.subscribe(document, variables):
                pass
        assert caught.value.codes == ["NOT_FOUND"]
    assert (await intruder.execute("{ reportJobs { totalCount } }"))["reportJobs"] == {
        "totalCount": 0
    }, "nothing was made for the intruder either"
    async with ReportsClient(api_url, token=victim["token"]) as owner:
        order = (await owner.execute(ORDER, {"id": victim["Order"]["id"]}))["order"]
        job = (await owner.execute(REPORT_JOB, {"id": victim["ReportJob"]["id"]}))["reportJob"]
        assert order["status"] == "PENDING" and order["items"][0]["product"]["stock"] == 3
        assert (job["status"], job["version"]) == ("COMPLETED", victim["ReportJob"]["version"])
        assert (await owner.download(job["downloadUrl"])).status_code == 200
        jobs = (await owner.execute("{ reportJobs { totalCount } }"))["reportJobs"]
        assert jobs["totalCount"] == 1, "no job was made or deleted"
        schedule = await owner.execute(VICTIM_SCHEDULE, {"id": victim["ReportSchedule"]["id"]})
        assert schedule["reportSchedule"] == {
            "name": "Mine",
            "enabled": True,
            "nextRunAt": victim["ReportSchedule"]["nextRunAt"],
            "runs": {"totalCount": 0},
        }


def test_the_isolation_test_sees_every_id_operation() -> None:
    names = {name for _, name, _ in id_taking_operations()}
    assert names >= {
        "order",
        "reportJob",
        "completeOrder",
        "cancelOrder",
        "cancelReport",
        "retryReport",
        "deleteReport",
        "regenerateReport",
        "reportSchedule",
        "updateReportSchedule",
        "setReportScheduleEnabled",
        "runReportScheduleNow",
        "deleteReportSchedule",
    }
