"""Queries on executions and runtimes."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.types.enums import ExecutionStatus
from service.entrypoints.graphql.types.execution import (
    Execution,
    ExecutionConnection,
    ExecutionEdge,
    Node,
    PageInfo,
)
from service.entrypoints.graphql.types.limits import Limits, LimitsPolicy
from service.entrypoints.graphql.types.runtime import Runtime
from service.services.querying import MAX_PAGE_SIZE
from service.services.store_port import InvalidCursor


@strawberry.type
class ExecutionQueries:
    @strawberry.field(description="One execution; null when there is none with this id.")
    async def execution(self, info: Info[Context, None], id: strawberry.ID) -> Execution | None:
        found = await info.context.use_cases.queries.get(str(id))
        return Execution.from_domain(found) if found else None

    @strawberry.field(description="Fetch any object by its id.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        found = await info.context.use_cases.queries.get(str(id))
        return Execution.from_domain(found) if found else None

    @strawberry.field(description=f"Executions, newest first (at most {MAX_PAGE_SIZE} a page).")
    async def executions(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: list[ExecutionStatus] | None = None,  # type: ignore[valid-type]
    ) -> ExecutionConnection:
        if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
            raise GraphQLError(f"first must be between 0 and {MAX_PAGE_SIZE}")
        try:
            page = await info.context.use_cases.queries.page(
                first=first, after=after, statuses=status
            )
        except InvalidCursor as error:
            raise GraphQLError(f"after: {error}") from error
        edges = [
            ExecutionEdge(cursor=cursor, node=Execution.from_domain(item))
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return ExecutionConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )

    @strawberry.field(description="Runtimes scripts can run on here.")
    def runtimes(self, info: Info[Context, None]) -> list[Runtime]:
        return [Runtime.from_domain(r) for r in info.context.use_cases.runtimes.all]

    @strawberry.field(description="Limit defaults, minimums and maximums of this server.")
    def limits_policy(self, info: Info[Context, None]) -> LimitsPolicy:
        policy = info.context.use_cases.limits
        return LimitsPolicy(
            defaults=Limits.from_domain(policy.defaults),
            maximums=Limits.from_domain(policy.maximums),
            minimums=Limits.from_domain(policy.minimums),
        )
