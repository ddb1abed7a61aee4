"""Queries on saved scripts: one, and pages of them (:mod:`service.services.accounts.saving`)."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.permissions import Authenticated
from service.entrypoints.graphql.types.connections import SavedScriptConnection
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.services.accounts.saving import MAX_PAGE_SIZE
from service.services.ports.store import InvalidCursor


@strawberry.type
class ScriptQueryMixin:
    @strawberry.field(
        description="One of the caller's saved scripts; null when not visible.",
        extensions=[Authenticated()],
    )
    async def saved_script(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> SavedScriptType | None:
        scripts = info.context.use_cases.accounts.scripts
        found = await scripts.get(principal, str(id))
        return SavedScriptType.from_domain(found) if found else None

    @strawberry.field(
        description=f"The caller's saved scripts, newest first (at most {MAX_PAGE_SIZE} a page).",
        extensions=[Authenticated()],
    )
    async def saved_scripts(
        self,
        info: Info[Context, None],
        principal: Principal,
        first: int | None = None,
        after: str | None = None,
    ) -> SavedScriptConnection:
        if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
            raise GraphQLError(f"first must be between 0 and {MAX_PAGE_SIZE}")
        scripts = info.context.use_cases.accounts.scripts
        try:
            page = await scripts.page(principal, first=first, after=after)
        except InvalidCursor as error:
            raise GraphQLError(f"after: {error}") from error
        return SavedScriptConnection.of(page, SavedScriptType.from_domain)
