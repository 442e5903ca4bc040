"""The one schema joining every feature's queries, mutations and subscriptions."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from schema.accounts import AccountMutation, AccountQuery
from schema.orders import OrderMutation, OrderQuery
from schema.products import ProductMutation, ProductQuery
from schema.report_jobs import ReportJobMutation, ReportJobQuery
from schema.scalars import DecimalScalar
from schema.subscriptions import Subscription


@strawberry.type
class Query(AccountQuery, ProductQuery, OrderQuery, ReportJobQuery):
    pass


@strawberry.type
class Mutation(AccountMutation, ProductMutation, OrderMutation, ReportJobMutation):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask resolver crashes (no code); keep our errors and GraphQL's own validation."""
    if error.original_error is None:
        return False
    return not (error.extensions or {}).get("code")


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={Decimal: DecimalScalar},
        # Factories, so that each operation gets fresh extension state.
        extensions=[
            lambda: QueryDepthLimiter(max_depth=12),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: MaxTokensLimiter(max_token_count=2_000),
            lambda: MaskErrors(should_mask_error=_is_unexpected, error_message="Internal error"),
        ],
    )


schema = build_schema()
