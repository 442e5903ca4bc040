"""How a query text becomes a checked document: limits, and memory of texts seen before.

Clients send the same few documents over and over. A text parsed before gets
the same parsed document (graphql-core never changes one, so sharing is safe;
a subscription keeps its document, several KB, while it is open, so ten
thousand subscribers of one text would otherwise hold ten thousand copies). A
text found valid before is not validated again: validation depends only on the
text and the schema, and it cost a quarter of the CPU of a small mutation.

Only texts that parsed, and only texts that were valid, are remembered, and
parsing and validation themselves are left to Strawberry: an error is reported
exactly as without the memory (with its code), every time, and bad texts,
however many, cannot push good ones out. (Strawberry's ParserCache raises
syntax errors from inside its hook, which loses their code.)

One extension whose hooks end before execution: per-operation hooks that span
the operation (on_operation) would be kept alive by every open subscription.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

from schema.errors import ErrorCode
from schema.limits.document_cost import cost_of, too_costly
from schema.limits.document_shape import DocumentLimits, shape_of
from schema.limits.stored_text import (
    first_unstorable_variable,
    has_unstorable_literal,
    unstorable_input,
)

T = TypeVar("T")

REMEMBERED_DOCUMENTS = 256
NOT_TEXT_MESSAGE = "The query must be a string holding a GraphQL document."
# Longer texts are handled afresh every time: they are rare, and would crowd memory.
REMEMBERED_TEXT_LENGTH = 20_000


class DocumentRules:
    """One schema's document limits, and what it has learnt about texts (shared by requests)."""

    def __init__(
        self,
        validation_rules: Sequence[type[ASTValidationRule]],
        max_tokens: int,
        limits: DocumentLimits,
    ) -> None:
        self.validation_rules = tuple(validation_rules)
        self.max_tokens = max_tokens
        self.limits = limits
        self.parsed: OrderedDict[str, DocumentNode] = OrderedDict()
        self.valid: OrderedDict[str, None] = OrderedDict()


def _remember(memory: OrderedDict[str, T], text: str, value: T) -> None:
    memory[text] = value
    if len(memory) > REMEMBERED_DOCUMENTS:
        memory.popitem(last=False)


def _rememberable(text: object) -> str | None:
    # Not always a string: a WebSocket message may carry {"query": 5}.
    return text if isinstance(text, str) and len(text) <= REMEMBERED_TEXT_LENGTH else None


class DocumentChecks(SchemaExtension):
    def __init__(self, rules: DocumentRules) -> None:
        self.rules = rules

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if not isinstance(context.query, str) and context.graphql_document is None:
            yield
            # graphql-core's lexer fails on it with a TypeError, which would read as a
            # bug of ours; Strawberry hands these very error objects to the client.
            for error in context.pre_execution_errors or ():
                error.message = NOT_TEXT_MESSAGE
                error.extensions = {"code": ErrorCode.GRAPHQL_PARSE_FAILED.value}
                error.original_error = None
            return
        text = _rememberable(context.query)
        known = self.rules.parsed.get(text) if text is not None else None
        if text is not None and known is not None:
            self.rules.parsed.move_to_end(text)
            # Strawberry parses only while this is None.
            context.graphql_document = known
        else:
            context.parse_options["max_tokens"] = self.rules.max_tokens
        yield
        if text is not None and known is None and context.graphql_document is not None:
            _remember(self.rules.parsed, text, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        text = _rememberable(context.query)
        known_valid = text is not None and text in self.rules.valid
        refused = self._refusal(known_valid)
        if refused is not None:
            # Before graphql-core's own rules, which would walk what is refused here.
            context.pre_execution_errors = [refused]
            yield
            return
        if text is not None and known_valid:
            self.rules.valid.move_to_end(text)
            # Strawberry validates only while this is None.
            context.pre_execution_errors = []
            yield
            return
        context.validation_rules = context.validation_rules + self.rules.validation_rules
        yield
        if text is not None and context.pre_execution_errors == []:
            _remember(self.rules.valid, text, None)

    def _refusal(self, known_valid: bool) -> GraphQLError | None:
        """Why the request is refused before validation, if it is: its variables (each
        time), its document's shape and literals (once per text), its estimated cost
        (each time: it depends on the variables)."""
        context = self.execution_context
        limits = self.rules.limits
        unstorable = first_unstorable_variable(context.variables)
        if unstorable is not None:
            return unstorable_input(unstorable)
        document = context.graphql_document
        if document is None:
            return None
        if not known_valid:
            refused = limits.refusal(shape_of(document, limits))
            if refused is not None:
                return GraphQLError(refused)
            if has_unstorable_literal(document):
                return unstorable_input("a string in the document")
        # Only a document within the shape limits gets here: its walk is shallow.
        cost = cost_of(document, context.variables)
        if cost > limits.max_cost:
            return too_costly(cost, limits.max_cost)
        return None
