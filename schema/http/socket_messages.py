"""What a WebSocket message must look like before Strawberry's handlers read it.

Both protocols' handlers index a message as they expect it to be: a JSON value
that is not an object, an object without a `type`, or a subscribe whose payload
is not an object raised inside them, which ended the socket with 1011 and logged
a traceback. Such a message now closes its socket with 4400 and a reason saying
what was wrong (schema/http/refusals.py), on either protocol.
"""

from __future__ import annotations

# Messages that start an operation, and those that end one, on either protocol.
_STARTS = frozenset({"subscribe", "start"})
_ENDS = frozenset({"complete", "stop"})


def message_problem(message: object) -> str | None:
    """What is wrong with a decoded message's shape, in a few words; None if nothing."""
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "a message needs a string type"
    if kind in _STARTS | _ENDS and not isinstance(message.get("id"), str):
        return f"a {kind} message needs a string id"
    if kind in _STARTS:
        payload = message.get("payload")
        if not isinstance(payload, dict) or "query" not in payload:
            return f"a {kind} payload must be an object with a query"
        if not isinstance(payload.get("variables"), dict | None):
            return "variables must be an object"
        if not isinstance(payload.get("operationName"), str | None):
            return "operationName must be a string"
    return None
