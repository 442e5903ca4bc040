"""Query texts parsed once, and the parsed document shared by every request that sends it.

Clients send the same few documents over and over; a subscription keeps its
parsed document (tokens and nodes, several KB) for as long as it is open, so
ten thousand subscribers of one document would otherwise hold ten thousand
copies. graphql-core never changes a parsed document, so sharing one is safe.

Unlike Strawberry's ParserCache, only documents that parsed are remembered and
parsing itself is left to Strawberry, so a syntax error is reported exactly as
without the cache (with its error code) and bad texts cannot evict good ones.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

REMEMBERED_DOCUMENTS = 256
# Longer texts are parsed every time: they are rare, and would crowd the cache.
REMEMBERED_TEXT_LENGTH = 20_000


class ParsedDocuments(SchemaExtension):
    def __init__(self, documents: OrderedDict[str, DocumentNode]) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is None or len(query) > REMEMBERED_TEXT_LENGTH:
            yield
            return
        known = self.documents.get(query)
        if known is not None:
            self.documents.move_to_end(query)
            # Strawberry parses only while this is None.
            context.graphql_document = known
            yield
            return
        yield
        if context.graphql_document is not None:
            self.documents[query] = context.graphql_document
            if len(self.documents) > REMEMBERED_DOCUMENTS:
                self.documents.popitem(last=False)
