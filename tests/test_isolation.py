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
from tests.support.factories import add_product, create_order, request_report
from tests.support.stacks import SignedInClientFactory
from tests.support.waiting import wait_for_job

GRAPHQL_SCHEMA = build_schema(schema.as_str())
# Operations whose result type does not say which object their id names.
ID_KIND_BY_FIELD = {"deleteReport": "ReportJob"}


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
            assert kind in {"Order", "ReportJob"}, (
                f"{keyword} {name} takes an ID: teach this test which object it names"
            )
            found.append((keyword, name, kind))
    return found


def document(keyword: str, name: str) -> str:
    field = getattr(GRAPHQL_SCHEMA, f"{keyword}_type").fields[name]
    selection = (
        " { __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
    )
    return f"{keyword}($id: ID!) {{ {name}(id: $id){selection} }}"


@pytest.fixture(scope="module")
async def victim(api_url: str) -> dict[str, Any]:
    async with ReportsClient(api_url) as owner:
        await register(owner)
        await add_product(owner, "V-1", "Valuable", "9.99", stock=3)
        order = await create_order(owner, "Vic", "vic@example.com", [("V-1", 1)])
        job = await wait_for_job(
            owner, (await request_report(owner, kind="INVENTORY", format="CSV"))["id"]
        )
        return {"token": owner.token, "Order": order, "ReportJob": job}


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
    target = victim[kind]["id"]
    intruder = await signed_in_client(api_url)
    if keyword == "query":
        assert await intruder.execute(document(keyword, name), {"id": target}) == {name: None}
    elif keyword == "mutation":
        with pytest.raises(GraphQLResponseError) as caught:
            await intruder.execute(document(keyword, name), {"id": target})
        assert caught.value.codes == ["NOT_FOUND"]
    else:
        with pytest.raises(GraphQLResponseError) as caught:
            async for _ in intruder.subscribe(document(keyword, name), {"id": target}):
                pass
        assert caught.value.codes == ["NOT_FOUND"]
    async with ReportsClient(api_url, token=victim["token"]) as owner:
        order = (await owner.execute(ORDER, {"id": victim["Order"]["id"]}))["order"]
        job = (await owner.execute(REPORT_JOB, {"id": victim["ReportJob"]["id"]}))["reportJob"]
        assert order["status"] == "PENDING" and order["items"][0]["product"]["stock"] == 3
        assert (job["status"], job["version"]) == ("COMPLETED", victim["ReportJob"]["version"])
        assert (await owner.download(job["downloadUrl"])).status_code == 200


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
    }
