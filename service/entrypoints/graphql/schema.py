"""Builds the one GraphQL schema from the per-domain roots."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from service.adapters.telemetry.instrumenting import graphql_tracing_extension
from service.entrypoints.graphql.resolvers.executions_mutations import ExecutionMutations
from service.entrypoints.graphql.resolvers.executions_queries import ExecutionQueries
from service.entrypoints.graphql.resolvers.executions_subscriptions import (
    ExecutionSubscriptions,
)
from service.entrypoints.graphql.types.errors import ExecutionNotFound, InputError
from service.entrypoints.graphql.types.execution import Execution


@strawberry.type
class Query(ExecutionQueries):
    pass


@strawberry.type
class Mutation(ExecutionMutations):
    pass


@strawberry.type
class Subscription(ExecutionSubscriptions):
    pass


def build_schema(*, trace_scripts: bool = False) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Execution, InputError, ExecutionNotFound],
        config=StrawberryConfig(),
        # Factories, not instances: each operation gets its own extension state.
        extensions=[
            lambda: QueryDepthLimiter(max_depth=12),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: MaxTokensLimiter(max_token_count=2000),
            graphql_tracing_extension(include_scripts=trace_scripts),
        ],
    )


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
