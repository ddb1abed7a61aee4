"""Queries on saved scripts: one, and pages of them (:mod:`service.services.accounts.saving`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.permissions import Authenticated
from service.entrypoints.graphql.queries.paging import check_first, checked_cursor
from service.entrypoints.graphql.types.connections import SavedScriptConnection
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.services.accounts.saving import MAX_PAGE_SIZE


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
        check_first(first, MAX_PAGE_SIZE)
        scripts = info.context.use_cases.accounts.scripts
        with checked_cursor():
            page = await scripts.page(principal, first=first, after=after)
        return SavedScriptConnection.of(page, SavedScriptType.from_domain)
