"""Document limits cost time linear in the document, and say which limit a document broke.

The attack: eight fragments, each spreading the next eight times, 531 bytes sent
without a token, held the API for 11 s while Strawberry's limiters walked 8^7
spreads. The work is counted here (selections looked at), not timed.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from client.graphql_client import ReportsClient
from schema.limits.document_shape import MAX_NESTING, DocumentLimits, shape_of
from schema.root import DOCUMENT_LIMITS

# Counted over both passes, each selection at most twice (counted, then measured).
VISITS_PER_SELECTION = 2


def fragment_fan(fragments: int, spreads: int) -> str:
    """The attack: fragment Fi spreads F(i+1) `spreads` times; the last selects a field."""
    chain = [
        f"fragment F{i} on User {{ {' '.join([f'...F{i + 1}'] * spreads)} }}"
        for i in range(fragments - 1)
    ]
    chain.append(f"fragment F{fragments - 1} on User {{ id }}")
    return "query Q1 { me { ...F0 } } " + " ".join(chain)


def selections_in(text: str) -> int:
    """Fields, fragment spreads and inline fragments, as written in the text."""
    document = parse(text)
    counted = 0
    for definition in document.definitions:
        stack: list[Any] = [definition.selection_set]  # type: ignore[attr-defined]
        while stack:
            for selection in stack.pop().selections:
                counted += 1
                if getattr(selection, "selection_set", None) is not None:
                    stack.append(selection.selection_set)
    return counted


@pytest.mark.parametrize(("fragments", "spreads"), [(8, 8), (6, 8), (12, 4)])
def test_measuring_a_fan_of_fragments_looks_at_each_selection_at_most_twice(
    fragments: int, spreads: int
) -> None:
    text = fragment_fan(fragments, spreads)
    shape = shape_of(
        parse(text), DocumentLimits(8, 30, max_fragment_spreads=10_000, max_cost=10**9)
    )
    assert shape.fragment_spreads == (fragments - 1) * spreads + 1
    assert shape.visits <= VISITS_PER_SELECTION * selections_in(text), shape
    assert shape.depth == 1, "me { ... }: one field with a selection"


def test_depth_counts_fields_with_selections_through_fragments_and_not_introspection() -> None:
    limits = DocumentLimits(max_depth=3, max_aliases=30, max_fragment_spreads=50, max_cost=10**9)
    three = "{ orders { edges { node { id } } } }"
    four = "{ orders { edges { node { items { quantity } } } } }"
    through_fragments = (
        "{ orders { ...E } } fragment E on OrderConnection { edges { ... on OrderEdge "
        "{ node { ...N } } } } fragment N on Order { items { quantity } }"
    )
    introspection = "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"
    assert shape_of(parse(three), limits).depth == 3
    assert limits.refusal(shape_of(parse(three), limits)) is None
    assert limits.refusal(shape_of(parse(four), limits)) is not None
    assert limits.refusal(shape_of(parse(through_fragments), limits)) is not None
    assert shape_of(parse(introspection), limits).depth == 0


def test_nesting_without_depth_is_refused_before_it_can_recurse_far() -> None:
    inline = "{ " + "... on Query { " * (MAX_NESTING + 5) + "me { id }" + " }" * (MAX_NESTING + 6)
    shape = shape_of(parse(inline), DOCUMENT_LIMITS)
    assert DOCUMENT_LIMITS.refusal(shape) is not None
    measured = shape.visits - selections_in(inline)
    assert measured <= MAX_NESTING + 2, "the depth walk stopped at the nesting limit"


def test_every_real_document_of_the_schema_passes() -> None:
    """GraphiQL's introspection query (deep, through fragments) and the deepest query."""
    for text in (
        get_introspection_query(descriptions=True),
        "{ orders(first: 1) { edges { node { items { product { id sku } } } } } }",
    ):
        shape = shape_of(parse(text), DOCUMENT_LIMITS)
        assert DOCUMENT_LIMITS.refusal(shape) is None, (text[:60], shape)


async def test_the_attack_is_refused_with_the_limit_it_broke(anonymous: ReportsClient) -> None:
    text = fragment_fan(8, 8)
    assert len(text.encode()) < 600, "the attack is a few hundred bytes"
    body = await anonymous.post(text)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"] == (
        f"Too many fragment spreads: 57; a document may have at most "
        f"{DOCUMENT_LIMITS.max_fragment_spreads}."
    )
    assert body.get("data") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }",
            "Too many aliases: 31; a document may have at most 30.",
        ),
        (
            "{ me " + "{ id " * 9 + "}" * 10,
            "Too deep: a query may nest at most 8 levels of fields.",
        ),
    ],
)
async def test_aliases_and_depth_are_refused_naming_the_limit(
    user: ReportsClient, text: str, message: str
) -> None:
    body = await user.post(text)
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "GRAPHQL_VALIDATION_FAILED")
    ]


def test_aliases_and_spreads_are_counted_where_they_are_written() -> None:
    text = "{ a: me { id } ...F ...F } fragment F on Query { b: me { id } }"
    shape = shape_of(parse(text), DOCUMENT_LIMITS)
    assert (shape.aliases, shape.fragment_spreads) == (2, 2)
