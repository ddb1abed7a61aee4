"""Queries on executions and what they run on: one execution, any node, pages of
executions, runtimes and the limits policy (:mod:`service.services.executions.querying`)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.permissions import AS_ANONYMOUS, Authenticated
from service.entrypoints.graphql.problems import graphql_error
from service.entrypoints.graphql.queries.by_ids import executions_by_id
from service.entrypoints.graphql.queries.paging import check_first, checked_cursor
from service.entrypoints.graphql.types.connections import ExecutionConnection
from service.entrypoints.graphql.types.enums import ExecutionStatus
from service.entrypoints.graphql.types.execution import ExecutionType
from service.entrypoints.graphql.types.limits import LimitsType
from service.entrypoints.graphql.types.limits_policy import LimitsPolicy
from service.entrypoints.graphql.types.node import Node
from service.entrypoints.graphql.types.runtime import RuntimeType
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.entrypoints.graphql.types.workspace import WorkspaceType
from service.services.executions.querying import MAX_PAGE_SIZE
from service.services.ports.store import ExecutionFilter
from service.services.problems import AuthProblem


@strawberry.type
class ExecutionQueryMixin:
    @strawberry.field(
        description="One execution; null when there is none with this id that the caller may "
        "see (their own, an anonymous one by its id, or any for an admin).",
        extensions=[Authenticated()],
    )
    async def execution(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> ExecutionType | None:
        found = await info.context.use_cases.queries.get(str(id), principal)
        return ExecutionType.from_domain(found) if found else None

    @strawberry.field(description="Fetch any object by its id.", extensions=[Authenticated()])
    async def node(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> Node | None:
        found = await info.context.use_cases.queries.get(str(id), principal)
        if found is not None:
            return ExecutionType.from_domain(found)
        script = await info.context.use_cases.accounts.scripts.get(principal, str(id))
        if script is not None:
            return SavedScriptType.from_domain(script)
        workspaces = info.context.use_cases.workspaces
        workspace = None if workspaces is None else await workspaces.get(principal, str(id))
        if workspace is None or workspaces is None:
            return None
        return WorkspaceType.from_domain(workspace, workspaces.quota_bytes)

    @strawberry.field(
        description=f"The caller's executions, newest first (at most {MAX_PAGE_SIZE} a page), "
        "filtered by status, runtime and creation time (createdAfter inclusive, createdBefore "
        "exclusive). With `ids`: those of them the caller may see, in the order asked (at "
        "most the batch size; no other argument applies, and the cursors are the ids).",
        extensions=[Authenticated()],
    )
    async def executions(
        self,
        info: Info[Context, None],
        principal: Principal,
        first: int | None = None,
        after: str | None = None,
        status: list[ExecutionStatus] | None = None,  # type: ignore[valid-type]
        runtime: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        ids: list[strawberry.ID] | None = None,
    ) -> ExecutionConnection:
        if ids is not None:
            return await executions_by_id(info, principal, [str(i) for i in ids])
        check_first(first, MAX_PAGE_SIZE)
        where = ExecutionFilter(status, runtime, created_after, created_before)
        with checked_cursor():
            page = await info.context.use_cases.queries.page(
                principal, first=first, after=after, where=where
            )
        return ExecutionConnection.of(page, ExecutionType.from_domain)

    @strawberry.field(
        description="Everyone's executions (or one owner's): admins only.",
        extensions=[Authenticated()],
    )
    async def all_executions(
        self,
        info: Info[Context, None],
        principal: Principal,
        first: int | None = None,
        after: str | None = None,
        status: list[ExecutionStatus] | None = None,  # type: ignore[valid-type]
        runtime: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        owner_id: strawberry.ID | None = None,
    ) -> ExecutionConnection:
        check_first(first, MAX_PAGE_SIZE)
        where = ExecutionFilter(status, runtime, created_after, created_before)
        with checked_cursor():
            page = await info.context.use_cases.queries.all_page(
                principal,
                first=first,
                after=after,
                owner_id=str(owner_id) if owner_id is not None else None,
                where=where,
            )
        if isinstance(page, AuthProblem):
            raise graphql_error(page)
        return ExecutionConnection.of(page, ExecutionType.from_domain)

    @strawberry.field(description="Runtimes scripts can run on here.")
    def runtimes(self, info: Info[Context, None]) -> list[RuntimeType]:
        return [RuntimeType.from_domain(r) for r in info.context.use_cases.runtimes.all]

    @strawberry.field(
        description="Limit defaults, minimums and maximums of this server.",
        extensions=[Authenticated(refused=AS_ANONYMOUS)],
    )
    async def limits_policy(self, info: Info[Context, None], principal: Principal) -> LimitsPolicy:
        # The caller's own: roles have their own maximums.
        policy = info.context.use_cases.accounts.quotas.limit_policy_for(principal)
        return LimitsPolicy(
            defaults=LimitsType.from_domain(policy.defaults),
            maximums=LimitsType.from_domain(policy.maximums),
            minimums=LimitsType.from_domain(policy.minimums),
        )
