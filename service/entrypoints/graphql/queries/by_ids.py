"""`executions(ids: …)`: many executions by id, as one unpaged connection."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.types.connections import ExecutionConnection
from service.entrypoints.graphql.types.execution import ExecutionType
from service.services.ports.store import Page


async def executions_by_id(
    info: Info[Context, None], principal: Principal, ids: list[str]
) -> ExecutionConnection:
    batches = info.context.use_cases.batches
    assert batches is not None, "batches are wired in every API"
    if len(ids) > batches.max_inputs:
        raise GraphQLError(f"ids: at most {batches.max_inputs} at once")
    found = await batches.many(ids, principal)
    page = Page(
        items=found,
        cursors=[e.id for e in found],
        has_next_page=False,
        has_previous_page=False,
    )
    return ExecutionConnection.of(page, ExecutionType.from_domain)
