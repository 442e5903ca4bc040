"""The whole flow through a real uvicorn process and a real `reports worker` process."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from client.graphql_client import GRAPHQL_TRANSPORT_WS, GRAPHQL_WS, Protocol
from models.report_jobs import JobStatus
from models.settings import Settings
from service.processes import running_api, running_worker
from tests.support.documents import WATCH_JOB
from tests.support.factories import add_product, completed_order, request_report
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.streams import watching
from tests.support.waiting import FINISHED, status_is


@pytest.fixture(scope="module")
async def e2e_settings(stack: StackFactory) -> Settings:
    """A stack of its own: no worker consumes its queue until a test starts one."""
    return await stack("e2e")


@pytest.fixture(scope="module")
def e2e_api(e2e_settings: Settings) -> Iterator[str]:
    with running_api(e2e_settings) as base_url:
        yield base_url


@pytest.mark.parametrize("protocol", [GRAPHQL_TRANSPORT_WS, GRAPHQL_WS])
async def test_order_to_downloaded_csv_watched_live(
    e2e_api: str,
    e2e_settings: Settings,
    protocol: Protocol,
    signed_in_client: SignedInClientFactory,
) -> None:
    client = await signed_in_client(e2e_api)
    await add_product(client, "TEA-1", "Green tea", "4.20", stock=50)
    await add_product(client, "MUG-2", "Mug", "7.95", stock=50)
    orders = [
        await completed_order(client, "Zoe", "zoe@example.com", [("TEA-1", 3), ("MUG-2", 1)]),
        await completed_order(client, "Yan", "yan@example.com", [("MUG-2", 2)]),
    ]

    # Every change, from a subscription open before the request.
    async with watching(client, protocol=protocol) as all_changes:
        job = await request_report(client, kind="ORDERS", format="CSV", title="Tea shop")
        assert job["status"] == "PENDING"

        # No worker yet: the job waits, and a watcher sees its current state first.
        async with watching(client, WATCH_JOB, {"id": job["id"]}, protocol=protocol) as one:
            await one.wait_for_job(job["id"], status_is(JobStatus.PENDING))
            assert [event["status"] for event in one.events] == ["PENDING"]

            with running_worker(e2e_settings):
                watched = await one.completion(timeout=60)
        await all_changes.wait_for_job(job["id"], FINISHED)

        statuses = [event["status"] for event in watched]
        assert statuses[0] == "PENDING" and statuses[-1] == "COMPLETED"
        assert "RUNNING" in statuses
        assert statuses.index("RUNNING") < statuses.index("COMPLETED")
        versions = [event["version"] for event in watched]
        assert versions == sorted(set(versions)), "in order, no repeats"
        progress = [event["progress"] for event in watched]
        assert progress == sorted(progress) and progress[-1] == 100

        mine = all_changes.of(job["id"])
        assert [event["version"] for event in mine] == list(range(1, mine[-1]["version"] + 1)), (
            "reportJobs saw every change of the job, without gaps"
        )
        assert mine[0]["status"] == "PENDING" and mine[-1]["status"] == "COMPLETED"

        finished = watched[-1]
        response = await client.download(finished["downloadUrl"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert 'filename="tea-shop-' in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(r["order_id"], r["sku"], r["quantity"], r["line_total"]) for r in rows] == [
            (orders[0]["id"], "TEA-1", "3", "12.60"),
            (orders[0]["id"], "MUG-2", "1", "7.95"),
            (orders[1]["id"], "MUG-2", "2", "15.90"),
        ]
        assert {r["customer_email"] for r in rows} == {"zoe@example.com", "yan@example.com"}
        assert finished["rowCount"] == 3
        assert finished["summary"]["totalSales"] == "36.45"


@pytest.mark.parametrize(
    "subprotocol",
    [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL, WebsocketsTransport.APOLLO_SUBPROTOCOL],
)
async def test_gql_watches_a_job_to_completed_on_either_websocket_protocol(
    e2e_api: str,
    e2e_settings: Settings,
    subprotocol: str,
    signed_in_client: SignedInClientFactory,
) -> None:
    """A client library nobody here wrote (gql), as a Python user would run it."""
    client = await signed_in_client(e2e_api)
    job = await request_report(client, kind="SALES", format="CSV")
    transport = WebsocketsTransport(
        url=e2e_api.replace("http", "ws", 1) + "/graphql",
        init_payload={"Authorization": f"Bearer {client.token}"},
        subprotocols=[subprotocol],
    )
    async with Client(transport=transport) as session:
        request = GraphQLRequest(WATCH_JOB, variable_values={"id": job["id"]})
        events = session.subscribe(request)
        watched = [(await anext(events))["reportJob"]]
        # No worker until the first state has arrived: the stream must carry every change.
        with running_worker(e2e_settings):
            watched += [event["reportJob"] async for event in events]
    statuses = [event["status"] for event in watched]
    assert statuses[0] == "PENDING" and statuses[-1] == "COMPLETED", statuses
    assert "RUNNING" in statuses
    versions = [event["version"] for event in watched]
    assert versions == sorted(set(versions)), "in order, no repeats"
