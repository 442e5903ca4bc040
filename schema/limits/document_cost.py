"""What a document would cost to answer, estimated before anything runs: fields times list sizes.

Depth and aliases do not bound an answer's size: one free account's
`orders(first: 200) { edges { node { items { product { id sku name } } } } }`
answered 36 MB in 9.5 s (7.5 M items were allowed in one request). Each field
selected costs one, times the sizes of the lists around it: a page is as long
as its `first` (the contract's default where none is given, at most
MAX_PAGE_SIZE, past which the field refuses it), an order's items as many as an
order may hold. A document
over `max_cost` is refused naming the limit and its estimate. Each fragment's
cost is worked out once, so the estimate is linear in the document's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
)

from models.deliveries import MAX_DELIVERY_TARGETS
from models.orders import MAX_ORDER_ITEMS
from schema.errors import ApiError, ErrorCode
from schema.limits.document_parts import DocumentParts
from schema.types.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# Lists that are not pages: how long each can be, unless a `first` says less.
LIST_SIZES = {
    "items": MAX_ORDER_ITEMS,
    "deliveries": MAX_DELIVERY_TARGETS,
    "deliverTo": MAX_DELIVERY_TARGETS,
}
# Fields answering a page, as long as their `first` (tests/test_document_cost.py
# checks these are the schema's fields that take one).
PAGED_FIELDS = frozenset({"orders", "products", "reportJobs", "reportSchedules", "runs"})
PAGE_ARGUMENT = "first"


def too_costly(cost: int, limit: int) -> ApiError:
    return ApiError(
        ErrorCode.GRAPHQL_VALIDATION_FAILED,
        f"Too costly: this document could answer {cost:,} fields; at most {limit:,} are "
        "allowed. Ask for smaller pages, fewer items per order (items(first:)), or fewer fields.",
        cost=cost,
        limit=limit,
    )


def cost_of(document: DocumentNode, variables: Mapping[str, Any] | None) -> int:
    """The most expensive operation's estimate (fragment cycles, which validation
    refuses anyway, add nothing)."""
    return _Cost(document, variables or {}).most()


class _Cost:
    def __init__(self, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self._variables = variables
        self._parts: DocumentParts[int] = DocumentParts(document)

    def most(self) -> int:
        return max((self._of(op.selection_set) for op in self._parts.operations), default=0)

    def _of(self, selections: SelectionSetNode | None) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += 1 + self._size(selection) * self._of(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self._of(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._parts.fragment(selection.name.value, self._of, 0)
        return total

    def _size(self, field: FieldNode) -> int:
        """How many times the field's selections are answered."""
        name = field.name.value
        if name not in PAGED_FIELDS and name not in LIST_SIZES:
            return 1
        for argument in field.arguments or ():
            if argument.name.value == PAGE_ARGUMENT:
                return self._page(argument.value, LIST_SIZES.get(name, MAX_PAGE_SIZE))
        return LIST_SIZES.get(name, DEFAULT_PAGE_SIZE)

    def _page(self, value: object, most: int) -> int:
        if isinstance(value, IntValueNode):
            requested: object = int(value.value)
        elif isinstance(value, VariableNode):
            requested = self._variables.get(value.name.value, DEFAULT_PAGE_SIZE)
        else:
            requested = DEFAULT_PAGE_SIZE
        if (
            not isinstance(requested, int)
            or isinstance(requested, bool)
            or not 1 <= requested <= most
        ):
            # The field refuses it itself, naming `first` (BAD_USER_INPUT): no page.
            return 1
        return requested
