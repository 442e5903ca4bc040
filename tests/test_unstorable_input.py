"""Input anyone can send that the database cannot take: a coded error, nothing logged.

Each of these reached PostgreSQL's driver, or the parser, and came back as
INTERNAL_SERVER_ERROR with a traceback in the log: a lone surrogate in any text
(anonymous `register` and `login` included), NUL in an email, a SKU or a cursor,
a cursor of a moment past year 9999 in UTC, and a WebSocket message whose query
is not a string.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest

from client.graphql_client import GraphQLResponseError, ReportsClient
from schema.limits.documents import NOT_TEXT_MESSAGE
from schema.types.pagination import encode_cursor
from tests.support.documents import CREATE_ORDER, LOGIN, ORDERS, PRODUCTS, REGISTER, UPSERT_PRODUCT
from tests.support.factories import add_product
from tests.support.sockets import answer, bearer, socket
from tests.support.stacks import SignedInClientFactory

LONE_SURROGATE = "\ud800"
NUL = "\x00"
ANSWER_SECONDS = 10.0


async def refused(
    client: ReportsClient, document: str, variables: dict[str, Any], field: str
) -> None:
    # JSON as any client may send it: escapes (ASCII only), a lone surrogate included.
    body = json.dumps({"query": document, "variables": variables}).encode()
    headers = {"content-type": "application/json"}
    if client.token:
        headers["authorization"] = f"Bearer {client.token}"
    response = await client._http.post("/graphql", content=body, headers=headers)
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error


@pytest.fixture(autouse=True)
def nothing_logged(caplog: pytest.LogCaptureFixture) -> Any:
    """The in-process API logs no error (no traceback) for any of these."""
    with caplog.at_level(logging.WARNING):
        yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_anonymous_sign_up_and_sign_in_with_unstorable_text(
    anonymous: ReportsClient,
) -> None:
    password = "long enough password"
    for text, field in ((LONE_SURROGATE, "email"), (NUL, "email")):
        email = f"a{text}@example.com"
        await refused(anonymous, REGISTER, {"email": email, "password": password}, field)
        await refused(anonymous, LOGIN, {"email": email, "password": password}, field)
    await refused(
        anonymous,
        REGISTER,
        {"email": "fine@example.com", "password": password + LONE_SURROGATE},
        "password",
    )


async def test_an_order_or_product_with_nul(user: ReportsClient) -> None:
    await add_product(user, "OK-1", "Fine", "1.00", stock=5)
    item = {"sku": "OK-1", "quantity": 1}
    order = {"customerName": "Ann", "customerEmail": f"ann{NUL}@example.com", "items": [item]}
    await refused(user, CREATE_ORDER, {"input": order}, "customerEmail")
    order = {"customerName": "Ann", "customerEmail": "ann@example.com"}
    order["items"] = [{"sku": f"OK{NUL}", "quantity": 1}]
    await refused(user, CREATE_ORDER, {"input": order}, "items[0].sku")
    product = {"sku": "S-1", "name": f"Bad{LONE_SURROGATE}", "price": "1.00"}
    await refused(user, UPSERT_PRODUCT, {"input": product}, "name")


async def test_nul_in_a_literal_of_the_document(user: ReportsClient) -> None:
    document = 'mutation { upsertProduct(input: {sku: "A\\u0000", name: "x", price: "1"}) { id } }'
    with pytest.raises(GraphQLResponseError) as caught:
        await user.execute(document)
    assert caught.value.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("document", "cursor"),
    [
        (PRODUCTS, encode_cursor([f"A{NUL}"])),
        (ORDERS, encode_cursor(["9999-12-31T23:59:59.999999-23:59", str(uuid.uuid4())])),
    ],
)
async def test_cursors_the_database_could_not_take(
    user: ReportsClient, document: str, cursor: str
) -> None:
    await refused(user, document, {"after": cursor}, "after")


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_websocket_query_that_is_not_a_string(
    api_url: str, protocol: str, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(api_url)
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    async with socket(api_url, bearer(client.token), protocol=protocol) as ws:
        assert await answer(ws) == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": start, "payload": {"query": 5}}))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), ANSWER_SECONDS))
            if message["type"] in {"error", "data", "next"}:
                break
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [
        (NOT_TEXT_MESSAGE, "GRAPHQL_PARSE_FAILED")
    ]
