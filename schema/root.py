"""The one schema joining every feature's queries, mutations and subscriptions."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.types import ExecutionContext

from schema.error_policy import ErrorPolicy
from schema.limits.document_shape import DocumentLimits
from schema.limits.documents import DocumentChecks, DocumentRules
from schema.live.shared_events import SharedEventExecutionContext
from schema.operation_metrics import OperationMetrics
from schema.resolvers.accounts import AccountMutation, AccountQuery
from schema.resolvers.orders import OrderMutation, OrderQuery
from schema.resolvers.products import ProductMutation, ProductQuery
from schema.resolvers.report_jobs import ReportJobMutation, ReportJobQuery
from schema.resolvers.report_stats import ReportStatsQuery
from schema.resolvers.schedules import ScheduleMutation, ScheduleQuery
from schema.resolvers.subscriptions import Subscription
from schema.types.scalars import DecimalScalar


@strawberry.type
class Query(
    AccountQuery, ProductQuery, OrderQuery, ReportJobQuery, ReportStatsQuery, ScheduleQuery
):
    pass


@strawberry.type
class Mutation(
    AccountMutation, ProductMutation, OrderMutation, ReportJobMutation, ScheduleMutation
):
    pass


DOCUMENT_LIMITS = DocumentLimits(
    # The deepest query the schema allows today has 5 levels of fields with
    # selections (orders.edges.node.items.product); the limit leaves room and
    # stops recursion through future types.
    max_depth=8,
    max_aliases=30,
    # Far more than any client's document here needs; the spreads are what a
    # fan of fragments multiplies.
    max_fragment_spreads=50,
    # A default page of orders with every field of their items and products
    # (225,751: an order may hold 500 items) fits; 200 orders with three product
    # fields each (400,601; 36 MB in 9.5 s when it was let through) do not.
    max_cost=250_000,
)
MAX_TOKENS = 2_000


class ReportsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorPolicy logs what deserves it; a client's bad input is not a server event."""


def build_schema(*, introspection: bool = True) -> ReportsSchema:
    rules: list[type[ASTValidationRule]] = []
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    documents = DocumentRules(rules, max_tokens=MAX_TOKENS, limits=DOCUMENT_LIMITS)
    return ReportsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={Decimal: DecimalScalar},
        execution_context_class=SharedEventExecutionContext,
        # Factories, so that each operation gets fresh extension state.
        extensions=[
            OperationMetrics,
            lambda: DocumentChecks(documents),
            # Suggestions tell what introspection tells: both or neither.
            lambda: ErrorPolicy(suggestions=introspection),
        ],
    )


# The full schema, for `reports schema` and tooling; the app builds its own from settings.
schema = build_schema()
