"""Hypothesis sends WebSocket messages of every shape, on both protocols, to a real API.

Whatever a client sends after connecting (unknown types, ids that are numbers or
missing, a query that is a number or a list, variables that are not an object,
text that is not JSON), the API answers with coded errors or closes the socket
with a protocol code, never 1011, and logs no error. The examples come from a
fixed seed, then from a fresh one, printed (WS_FUZZ_SEED repeats it).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from pathlib import Path
from typing import Any

import websockets
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from models.settings import Settings
from service.processes import running_api_process
from tests.support.clients import token_of
from tests.support.documents import WATCH_JOBS
from tests.support.sockets import bearer, socket
from tests.support.stacks import SignedInClientFactory

SEED = 20_261_201
EXAMPLES = 100
FRESH_SEED_VARIABLE = "WS_FUZZ_SEED"

# How long a socket is listened to after the last message: answers come in milliseconds.
QUIET_SECONDS = 0.3
INTERNAL_ERROR_CLOSE = 1011
PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
MESSAGE_TYPES = [
    "connection_init",
    "subscribe",
    "start",
    "complete",
    "stop",
    "ping",
    "pong",
    "connection_terminate",
    "next",
    "error",
    "ka",
    "",
]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
queries = st.one_of(
    st.just(WATCH_JOBS),
    st.just("{ me { id } }"),
    st.just('subscription { reportJob(id: "x") { id } }'),
    st.text(max_size=40),
    json_values,
)
payloads = st.one_of(
    st.fixed_dictionaries(
        {"query": queries},
        optional={
            "variables": json_values,
            "operationName": json_values,
            "extensions": json_values,
        },
    ),
    json_values,
)
messages = st.one_of(
    st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(MESSAGE_TYPES), json_values)},
        optional={"id": st.one_of(st.text(max_size=6), json_values), "payload": payloads},
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=30),
)


async def converse(
    base_url: str, protocol: str, token: str, sent: list[str]
) -> tuple[list[Any], int | None]:
    """Connect, sign in, send the messages; what came back, and the close code if it closed."""
    answers: list[Any] = []
    async with socket(base_url, bearer(token), protocol=protocol) as ws:
        try:
            for text in sent:
                await ws.send(text)
            while True:
                answers.append(json.loads(await asyncio.wait_for(ws.recv(), QUIET_SECONDS)))
        except TimeoutError:
            return answers, None
        except websockets.ConnectionClosed as closed:
            return answers, closed.rcvd.code if closed.rcvd else None


def uncoded_errors(answers: list[Any]) -> list[Any]:
    """The errors among the answers that carry no `extensions.code`."""
    found = []
    for answer in answers:
        payload = answer.get("payload") if isinstance(answer, dict) else None
        if not isinstance(answer, dict) or answer.get("type") not in {"error", "next", "data"}:
            continue
        errors = payload if isinstance(payload, list) else None
        if isinstance(payload, dict):
            errors = payload.get("errors") if answer["type"] != "error" else [payload]
        for error in errors or []:
            if not (error.get("extensions") or {}).get("code"):
                found.append(answer)
    return found


def examples(base_url: str, token: str, from_seed: int, problems: list[str]) -> None:
    """Run the examples of one seed (in a thread: each conversation has a loop of its own)."""

    @seed(from_seed)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(protocol=st.sampled_from(PROTOCOLS), sent=st.lists(messages, min_size=1, max_size=6))
    def exchange(protocol: str, sent: list[str]) -> None:
        answers, code = asyncio.run(converse(base_url, protocol, token, sent))
        if code == INTERNAL_ERROR_CLOSE:
            problems.append(f"{protocol} closed 1011 after {sent}")
        for answer in uncoded_errors(answers):
            problems.append(f"{protocol}: uncoded {answer} after {sent}")

    exchange()


async def test_websocket_messages_of_any_shape(
    settings: Settings, tmp_path: Path, signed_in_client: SignedInClientFactory
) -> None:
    fresh = int(os.environ.get(FRESH_SEED_VARIABLE) or random.randrange(2**32))
    print(f"\nwebsocket fuzz: fresh seed {fresh} ({FRESH_SEED_VARIABLE}={fresh} repeats it)")
    log = tmp_path / "api.log"
    problems: list[str] = []
    # WARNING, as in production: no access log, and any error shows.
    with log.open("wb") as output, running_api_process(settings, output=output) as (url, _):
        token = token_of(await signed_in_client(url))
        for from_seed in (SEED, fresh):
            await asyncio.to_thread(examples, url, token, from_seed, problems)
    assert not problems, "\n".join(problems[:20])
    # Ours read "... ERROR name: ...", uvicorn's "ERROR:    ..." (and a traceback).
    errors = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith(("ERROR", "Traceback")) or " ERROR " in line
    ]
    assert errors == [], "\n".join(errors[:20])
