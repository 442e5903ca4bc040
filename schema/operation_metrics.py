"""Counts and times every GraphQL operation, on every transport, by its type and outcome.

An extension rather than the HTTP view: WebSocket operations never pass through
the view's request handling, but every operation, however it came, runs through
the schema's extensions. Labels are the operation's type and ok/error only; an
operation's name is the client's free text and never becomes a label.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types import StreamExecutionResult

from models.metrics import OperationType, observe_operation


class OperationMetrics(SchemaExtension):
    def __init__(self) -> None:
        self._started = 0.0
        self._counted = False

    def on_operation(self) -> Iterator[None]:
        self._started = time.perf_counter()
        yield
        if not self._counted:
            self._count(self.execution_context.result)

    def on_execute(self) -> Iterator[None]:
        yield
        # A subscription lives as long as its client likes, and may say nothing for
        # hours: it is counted, and timed, once its stream is set up.
        if not self._counted and self._operation_type() is OperationType.SUBSCRIPTION:
            self._count(None)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # A subscription refused before it started (its document, its variables).
        yield
        if not self._counted:
            self._count(result)

    def _count(self, result: object) -> None:
        self._counted = True
        observe_operation(
            self._operation_type(),
            ok=not getattr(result, "errors", None),
            seconds=time.perf_counter() - self._started,
        )

    def _operation_type(self) -> OperationType:
        try:
            return OperationType(self.execution_context.operation_type.value)
        except RuntimeError:
            # No document (a syntax error), or no operation of the name asked for.
            return OperationType.UNKNOWN
