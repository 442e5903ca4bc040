"""A job event is executed once per distinct subscription operation, and encoded once.

Every subscriber of an account receives the same event, and nearly all of them
send one of a few documents. Executing the selection set and encoding the JSON
for each subscriber was most of the API's cost of a fan-out; here the first
subscriber of an (event, operation, variables) executes it and the rest reuse
the result, and the first to send a result encodes it for everyone.

Sharing is safe because an event's fields depend only on the job's state (the
event identity: job id and version), the operation and its variables, never on
who asks: the hub only hands an account's events to that account's listeners.
Some depend on the time, though (downloadUrl signs a link that expires, and is
null once the file is due to go), so a result is shared for a few seconds at
most: long enough for one fan-out, far shorter than any link's life. Each
schema keeps its own results, as each app signs with its own key.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any
from weakref import WeakKeyDictionary

from graphql import ExecutionResult, GraphQLSchema
from graphql.pyutils import AwaitableOrValue
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.job_snapshots import JobSnapshot

# Distinct (event, operation) results kept: enough for every operation in use
# while an event is being delivered; an evicted one is simply executed again.
MAX_SHARED_RESULTS = 512
MAX_SHARED_ENCODINGS = 512
# How long a result may be handed to later subscribers of the same event.
SHARED_RESULT_SECONDS = 5.0

_OperationKey = tuple[str, str | None, str]


class _Bounded(OrderedDict[Hashable, Any]):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit

    def keep(self, key: Hashable, value: Any) -> None:
        self[key] = value
        if len(self) > self._limit:
            self.popitem(last=False)


_results_by_schema: WeakKeyDictionary[GraphQLSchema, _Bounded] = WeakKeyDictionary()
_encodings = _Bounded(MAX_SHARED_ENCODINGS)


def _results_of(schema: GraphQLSchema) -> _Bounded:
    results = _results_by_schema.get(schema)
    if results is None:
        results = _results_by_schema[schema] = _Bounded(MAX_SHARED_RESULTS)
    return results


def _fresh(results: _Bounded, key: Hashable) -> ExecutionResult | None:
    entry: tuple[ExecutionResult, float] | None = results.get(key)
    if entry is None:
        return None
    if time.monotonic() > entry[1]:
        del results[key]
        return None
    return entry[0]


class _Encoding:
    """A shared result's data and, once first sent, its JSON.

    Holding the data keeps its id from being reused while the entry is cached.
    """

    __slots__ = ("_text", "data")

    def __init__(self, data: object) -> None:
        self.data = data
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = json.dumps(self.data, separators=(",", ":"))
        return self._text


def _event_identity(payload: object) -> Hashable | None:
    """Job events (payloads carrying a JobSnapshot) are identified by job and version."""
    snapshot = getattr(payload, "snapshot", None)
    if not isinstance(snapshot, JobSnapshot):
        return None
    return (type(payload), snapshot.id, snapshot.version)


class SharedEventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, reusing a subscription event's result across subscribers."""

    # Set on the subscription's executor before its first event; per-event copies
    # inherit it. None: this operation's results are not shared.
    _operation_key: _OperationKey | None = None
    _shared: _Bounded | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if self._shared is None:
            self._operation_key = self._key_of_operation()
            self._shared = _results_of(self.schema)
        event = _event_identity(payload)
        if event is not None and self._operation_key is not None:
            shared = _fresh(self._shared, (event, self._operation_key))
            if shared is not None:
                # Copying the executor for an event already executed is wasted work.
                return _AlreadyExecuted(shared)
        return super().build_per_event_executor(payload)

    def _key_of_operation(self) -> _OperationKey | None:
        location = self.operation.loc
        if location is None:
            return None
        name = self.operation.name.value if self.operation.name else None
        variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
        return (location.source.body, name, variables)

    def execute_operation(self, serially: bool | None = None) -> AwaitableOrValue[Any]:
        result = super().execute_operation(serially)
        event = _event_identity(self.root_value) if self._operation_key is not None else None
        # Only complete, error-free results are shared: errors go through the
        # error policy per subscriber, and awaitables cannot be handed out twice.
        if (
            event is not None
            and self._shared is not None
            and isinstance(result, ExecutionResult)
            and not result.errors
        ):
            expires = time.monotonic() + SHARED_RESULT_SECONDS
            self._shared.keep((event, self._operation_key), (result, expires))
            _encodings.keep(id(result.data), _Encoding(result.data))
        return result


class _AlreadyExecuted:
    """Stands in for a per-event executor: graphql-core only asks it to execute."""

    __slots__ = ("_result",)

    def __init__(self, result: ExecutionResult) -> None:
        self._result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self._result


_SPLICED_KEYS = {"id", "type", "payload"}


def encode_shared_message(message: object) -> str | None:
    """The WebSocket text of a subscription result whose data was shared, or None.

    The data's JSON is encoded once per shared result and spliced into each
    subscriber's message around its own operation id.
    """
    # Only the shape spliced below: a key Strawberry may add one day is never dropped.
    if not isinstance(message, dict) or message.keys() != _SPLICED_KEYS:
        return None
    if message["type"] not in ("next", "data"):
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict) or payload.keys() != {"data"}:
        return None
    data = payload["data"]
    encoding = _encodings.get(id(data))
    if encoding is None or encoding.data is not data:
        return None
    operation_id = json.dumps(message.get("id"))
    return (
        f'{{"id":{operation_id},"type":"{message["type"]}","payload":{{"data":{encoding.text}}}}}'
    )
