"""Schemathesis fuzzes every query and mutation of the running API, signed in.

The schema comes from the real uvicorn process by introspection. Each operation
gets a fixed number of positive (schema-valid) and negative (schema-invalid)
documents from a fixed seed, then fewer from a fresh seed printed at the start
(FUZZ_SEED repeats it), sent with a Bearer token of an account that owns a
product, an order and a report job. Strings are sometimes hostile: NUL, lone
surrogates, formulas, cursors of impossible positions. Identifiers the service answers with are
fed back into later documents, so generated IDs are sometimes real ones.

Nothing may answer 5xx, and every GraphQL error must carry `extensions.code`
(schema/error_policy.py). All failures are collected and reported together.
Subscriptions are left out: they need a WebSocket.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import graphql
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Err
from schemathesis.generation.case import Case
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.graphql import nodes
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.extra_data_source import GraphQLResourcePool

from schema.types.pagination import encode_cursor
from tests.support.documents import CREATE_ORDER, ME, REGISTER, REQUEST_REPORT, UPSERT_PRODUCT

Operation = APIOperation[Any, Any, Any, Any]
GraphQLCase = Case[Operation]

SEED = 20_240_611
# Per operation and mode; with 18 operations that is about 1,000 requests in all.
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 15}
# Then a shorter run from a seed of its own each time, printed (FUZZ_SEED repeats one).
FRESH_EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
FRESH_SEED_VARIABLE = "FUZZ_SEED"
# Text the database cannot store, text a spreadsheet would run, and cursors of
# positions no list gives out; each once reached the database or a traceback.
HOSTILE_TEXTS = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    '=HYPERLINK("http://x","y")',
    "\t+1",
    encode_cursor(["9999-12-31T23:59:59.999999-23:59", str(uuid.UUID(int=1))]),
    encode_cursor(["0001-01-01T00:00:00+14:00", str(uuid.UUID(int=1))]),
    encode_cursor(["A\x00"]),
    encode_cursor([None, 5]),
    encode_cursor([]),
]
MIN_TOTAL_EXAMPLES = 500
REQUEST_TIMEOUT = 30.0
SHOWN_RESPONSE_CHARS = 1500
SHOWN_FAILURES = 100


def money_values() -> st.SearchStrategy[graphql.ValueNode]:
    """`Decimal` is a string such as "12.50": mostly money, sometimes anything."""
    money = st.decimals(
        min_value=Decimal("-1000"), max_value=Decimal("100000"), places=2, allow_nan=False
    ).map(str)
    odd = st.one_of(
        st.decimals(places=4, allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["", "NaN", "-Infinity", "1e400", "1e-400", "12.5.0", "0x10", " 1.00 "]),
        st.text(max_size=20),
    )
    strings: st.SearchStrategy[graphql.ValueNode] = st.one_of(money, money, odd).map(nodes.String)
    numbers: st.SearchStrategy[graphql.ValueNode] = st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    )
    return st.one_of(strings, numbers)


def text_values() -> st.SearchStrategy[graphql.ValueNode]:
    """`String`: mostly ordinary text, sometimes hostile (HOSTILE_TEXTS, or made of its
    characters). hypothesis' text leaves out surrogates, and the database NUL."""
    hostile = st.one_of(
        st.sampled_from(HOSTILE_TEXTS),
        st.text(alphabet=st.sampled_from("\x00\ud800\udfff=+-@\t\r'\"\\"), max_size=8),
    )
    ordinary = st.text(max_size=30)
    return st.one_of(ordinary, ordinary, hostile).map(nodes.String)


def json_values() -> st.SearchStrategy[graphql.ValueNode]:
    """`JSON` is only in output types; a strategy keeps the generator from refusing it."""
    return st.text(max_size=20).map(nodes.String)


@dataclass
class Failure:
    operation: str
    mode: str
    reason: str
    query: str
    status: int
    body: str

    def describe(self) -> str:
        body = self.body
        if len(body) > SHOWN_RESPONSE_CHARS:
            body = body[:SHOWN_RESPONSE_CHARS] + f"... ({len(self.body)} chars)"
        return (
            f"--- {self.operation} [{self.mode}]: {self.reason}\n"
            f"request: POST /graphql {json.dumps({'query': self.query})}\n"
            f"response: HTTP {self.status} {body}"
        )


def problems_of(status: int, content: bytes) -> list[str]:
    """What is wrong with one response: a 5xx, or an error without `extensions.code`."""
    problems: list[str] = []
    if status >= 500:
        problems.append(f"server error (HTTP {status})")
    try:
        body: Any = json.loads(content)
    except ValueError:
        return [*problems, "the response is not JSON"]
    if not isinstance(body, dict):
        return [*problems, "the response is not a JSON object"]
    errors = body.get("errors")
    if errors is None:
        if "data" not in body:
            problems.append("the response has neither data nor errors")
        return problems
    if not isinstance(errors, list) or not errors:
        return [*problems, "`errors` is not a non-empty list"]
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if not isinstance(extensions, dict) or not extensions.get("code"):
            message = error.get("message") if isinstance(error, dict) else error
            problems.append(f"GraphQL error without extensions.code: {message!r}")
    return problems


def codes_of(content: bytes) -> list[str]:
    try:
        body: Any = json.loads(content)
    except ValueError:
        return ["<not JSON>"]
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return ["<no errors>"]
    return [
        str((error.get("extensions") or {}).get("code")) if isinstance(error, dict) else "?"
        for error in body["errors"]
    ]


@dataclass
class FuzzRun:
    base_url: str
    pool: GraphQLResourcePool
    token: str = ""
    accounts: int = 0
    session: requests.Session = field(default_factory=requests.Session)
    sent: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    internal: list[Failure] = field(default_factory=list)

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Set-up requests: their data, or an AssertionError with the errors."""
        response = self.session.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
            timeout=REQUEST_TIMEOUT,
        )
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), f"{query} {variables} -> {body}"
        data: dict[str, Any] = body["data"]
        return data

    def sign_up_with_data(self) -> None:
        """A fresh account with a product, an order and a report job, so queries find data."""
        self.token = ""
        email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
        auth = self.graphql(REGISTER, {"email": email, "password": "fuzzing password"})
        self.token = auth["register"]["token"]
        self.accounts += 1
        sku = f"FUZZ-{uuid.uuid4().hex[:8]}"
        product = {"sku": sku, "name": "Fuzzed widget", "price": "1.00", "stock": 5}
        self.graphql(UPSERT_PRODUCT, {"input": product})
        items = [{"sku": sku, "quantity": 1}]
        order = {"customerName": "Fuzz Customer", "customerEmail": "fuzz@example.com"}
        self.graphql(CREATE_ORDER, {"input": {**order, "items": items}})
        self.graphql(REQUEST_REPORT, {"input": {"kind": "ORDERS", "format": "CSV"}})

    def stay_signed_in(self) -> None:
        """A fuzzed `logout` revokes the token: carry on as a fresh account then."""
        response = self.session.post(
            f"{self.base_url}/graphql",
            json={"query": ME},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=REQUEST_TIMEOUT,
        )
        if response.json().get("errors"):
            self.sign_up_with_data()

    def send(self, operation: Operation, mode: GenerationMode, case: GraphQLCase) -> None:
        response = case.call(
            base_url=self.base_url,
            session=self.session,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=REQUEST_TIMEOUT,
        )
        self.sent[operation.label] += 1
        codes = codes_of(response.content)
        self.outcomes.update(codes)
        # Identifiers in the answer may stand in for generated ones in later documents.
        self.pool.record_response(operation=operation, response=response, case=case)
        text = response.content.decode("utf-8", errors="replace")
        if "INTERNAL_SERVER_ERROR" in codes:
            self.internal.append(
                Failure(
                    operation.label,
                    mode.value,
                    "INTERNAL_SERVER_ERROR",
                    str(case.body),
                    response.status_code,
                    text,
                )
            )
        for reason in problems_of(response.status_code, response.content):
            self.failures.append(
                Failure(
                    operation.label, mode.value, reason, str(case.body), response.status_code, text
                )
            )

    def fuzz(
        self, operation: Operation, mode: GenerationMode, from_seed: int, examples: int
    ) -> None:
        feedback = FeedbackSources(extra_data_source=self.pool)
        strategy = operation.as_strategy(generation_mode=mode, feedback=feedback)

        @seed(from_seed)
        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=strategy)
        def fuzz_operation(case: GraphQLCase) -> None:
            self.send(operation, mode, case)

        fuzz_operation()


def test_fuzz_every_query_and_mutation(api_url: str) -> None:
    schemathesis.graphql.scalar("Decimal", money_values())
    schemathesis.graphql.scalar("JSON", json_values())
    schemathesis.graphql.scalar("String", text_values())
    fresh_seed = int(os.environ.get(FRESH_SEED_VARIABLE) or random.randrange(2**32))
    print(f"\nfuzz: fresh seed {fresh_seed} ({FRESH_SEED_VARIABLE}={fresh_seed} repeats it)")
    schema = schemathesis.graphql.from_url(f"{api_url}/graphql", timeout=REQUEST_TIMEOUT)
    run = FuzzRun(base_url=api_url, pool=schema.create_extra_data_source())
    started = time.monotonic()
    try:
        run.sign_up_with_data()
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                raise result.err()
            operation = result.ok()
            for from_seed, examples in ((SEED, EXAMPLES), (fresh_seed, FRESH_EXAMPLES)):
                for mode, count in examples.items():
                    run.fuzz(operation, mode, from_seed, count)
                    run.stay_signed_in()
    finally:
        run.session.close()
    elapsed = time.monotonic() - started

    total = sum(run.sent.values())
    print(f"\nfuzz: {total} examples, {len(run.failures)} failures in {elapsed:.1f}s")
    print(f"  accounts used: {run.accounts}; outcomes: {dict(run.outcomes.most_common())}")
    for label, count in sorted(run.sent.items()):
        print(f"  {label}: {count}")

    # Coded, but error_policy.py masks only bugs: fuzzed input must never reach one.
    assert not run.internal, "masked INTERNAL_SERVER_ERRORs:\n" + "\n".join(
        failure.describe() for failure in run.internal[:SHOWN_FAILURES]
    )

    summary = Counter((f.operation, f.reason, f.status) for f in run.failures)
    more = len(run.failures) - SHOWN_FAILURES
    assert not run.failures, (
        f"{len(run.failures)} failures in {total} examples:\n"
        + "\n".join(f"  {count} x {key}" for key, count in summary.most_common())
        + "\n"
        + "\n".join(failure.describe() for failure in run.failures[:SHOWN_FAILURES])
        + (f"\n... and {more} more" if more > 0 else "")
    )
    assert total >= MIN_TOTAL_EXAMPLES, f"only {total} examples were sent"
