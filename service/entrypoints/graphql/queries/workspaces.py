"""Queries on workspaces: the caller's, and one by id
(:mod:`service.services.workspaces.managing`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.permissions import Authenticated
from service.entrypoints.graphql.types.workspace import WorkspaceType


@strawberry.type
class WorkspaceQueryMixin:
    @strawberry.field(
        description="The caller's workspaces, by name (none for anonymous callers).",
        extensions=[Authenticated()],
    )
    async def workspaces(
        self, info: Info[Context, None], principal: Principal
    ) -> list[WorkspaceType]:
        workspaces = info.context.use_cases.workspaces
        if workspaces is None:
            return []
        return [
            WorkspaceType.from_domain(w, workspaces.quota_bytes)
            for w in await workspaces.of_caller(principal)
        ]

    @strawberry.field(
        description="One workspace; null when there is none with this id that the caller "
        "may see (their own, or any for an admin).",
        extensions=[Authenticated()],
    )
    async def workspace(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> WorkspaceType | None:
        workspaces = info.context.use_cases.workspaces
        found = None if workspaces is None else await workspaces.get(principal, str(id))
        return (
            None
            if found is None or workspaces is None
            else WorkspaceType.from_domain(found, workspaces.quota_bytes)
        )
