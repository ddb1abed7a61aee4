"""Queries on accounts: who am I, my API tokens, my quota; users (admins only)
(:mod:`service.services.accounts`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.permissions import Authenticated, answer
from service.entrypoints.graphql.problems import graphql_error
from service.entrypoints.graphql.queries.paging import check_first, checked_cursor
from service.entrypoints.graphql.types.api_token import ApiToken
from service.entrypoints.graphql.types.connections import UserConnection
from service.entrypoints.graphql.types.quota import Quota
from service.entrypoints.graphql.types.user import UserType
from service.services.accounts.administering import MAX_PAGE_SIZE
from service.services.problems import AuthProblem


@strawberry.type
class AuthQueryMixin:
    @strawberry.field(
        description="The logged-in user; null for anonymous callers.",
        extensions=[Authenticated(refused=answer(None))],
    )
    async def me(self, info: Info[Context, None], principal: Principal) -> UserType | None:
        if principal.user_id is None:
            return None
        user = await info.context.use_cases.accounts.auth.user(principal.user_id)
        return UserType.from_domain(user) if user else None

    @strawberry.field(
        description="The caller's API tokens (secrets are never shown again).",
        extensions=[Authenticated()],
    )
    async def api_tokens(self, info: Info[Context, None], principal: Principal) -> list[ApiToken]:
        records = await info.context.use_cases.accounts.auth.api_tokens(principal)
        return [ApiToken.from_domain(r) for r in records]

    @strawberry.field(
        description="The quotas that apply to the caller.", extensions=[Authenticated()]
    )
    async def my_quota(self, info: Info[Context, None], principal: Principal) -> Quota:
        quota = info.context.use_cases.accounts.quotas.quota_of(principal)
        return Quota(
            max_concurrent_executions=quota.max_concurrent_executions,
            submissions_per_minute=quota.submissions_per_minute,
        )

    @strawberry.field(
        description=f"All users, oldest first (admins only; {MAX_PAGE_SIZE} a page).",
        extensions=[Authenticated()],
    )
    async def users(
        self,
        info: Info[Context, None],
        principal: Principal,
        first: int | None = None,
        after: str | None = None,
    ) -> UserConnection:
        check_first(first, MAX_PAGE_SIZE)
        admin = info.context.use_cases.accounts.admin
        with checked_cursor():
            page = await admin.users(principal, first=first, after=after)
        if isinstance(page, AuthProblem):
            raise graphql_error(page)
        return UserConnection.of(page, UserType.from_domain)
