"""Builds the one GraphQL schema: the roots assembled from mixins in `queries`, `mutations`
and `subscriptions`, and the limits every operation runs under (more in `hardening`).

`schema.graphql` at the repository root is this schema's SDL (`podrun export-schema`).
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from service.adapters.telemetry.instrumenting import graphql_tracing_extension
from service.entrypoints.graphql.fanout import SharedEventExecutor
from service.entrypoints.graphql.hardening import Hardening, hardening_extensions
from service.entrypoints.graphql.mutations import Mutation
from service.entrypoints.graphql.queries import Query
from service.entrypoints.graphql.subscriptions import Subscription
from service.entrypoints.graphql.types.errors import ExecutionNotFound, InputError
from service.entrypoints.graphql.types.execution import ExecutionType

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000

# Built once so the validation cache sees the same rules every time; the rules themselves
# keep no per-request state.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def build_schema(
    *, trace_scripts: bool = False, traced: bool = True, hardening: Hardening | None = None
) -> strawberry.Schema:
    """`traced=False` leaves out the per-resolver OpenTelemetry spans (no exporter)."""
    tracing = [graphql_tracing_extension(include_scripts=trace_scripts)] if traced else []
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ExecutionType, InputError, ExecutionNotFound],
        config=StrawberryConfig(),
        # Subscribers of one event through one document share its execution.
        execution_context_class=SharedEventExecutor,
        # Factories, not instances: each operation gets its own extension state.
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            # Parsing and validating the same operation text again is most of a request's
            # CPU: both are cached (module-level LRU caches, keyed by text and rules).
            lambda: ParserCache(maxsize=256),
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: ValidationCache(maxsize=256),
            *hardening_extensions(hardening or Hardening()),
            *tracing,
        ],
    )


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
