"""Queries on saved scripts: one, and pages of them (:mod:`service.services.accounts.saving`)."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from service.entrypoints.graphql.context import Context, caller_or_raise
from service.entrypoints.graphql.types.connections import SavedScriptConnection, SavedScriptEdge
from service.entrypoints.graphql.types.page_info import PageInfo
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.services.accounts.saving import MAX_PAGE_SIZE
from service.services.ports.store import InvalidCursor


@strawberry.type
class ScriptQueryMixin:
    @strawberry.field(description="One of the caller's saved scripts; null when not visible.")
    async def saved_script(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> SavedScriptType | None:
        scripts = info.context.use_cases.accounts.scripts
        found = await scripts.get(await caller_or_raise(info), str(id))
        return SavedScriptType.from_domain(found) if found else None

    @strawberry.field(
        description=f"The caller's saved scripts, newest first (at most {MAX_PAGE_SIZE} a page)."
    )
    async def saved_scripts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> SavedScriptConnection:
        if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
            raise GraphQLError(f"first must be between 0 and {MAX_PAGE_SIZE}")
        scripts = info.context.use_cases.accounts.scripts
        try:
            page = await scripts.page(await caller_or_raise(info), first=first, after=after)
        except InvalidCursor as error:
            raise GraphQLError(f"after: {error}") from error
        return SavedScriptConnection(
            edges=[
                SavedScriptEdge(cursor=c, node=SavedScriptType.from_domain(s))
                for s, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )
