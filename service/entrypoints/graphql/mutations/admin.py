"""Admin mutations: a user's role and quotas (:mod:`service.services.accounts.administering`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal, User
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.quota_input import QuotaInput
from service.entrypoints.graphql.permissions import Authenticated, as_auth_error
from service.entrypoints.graphql.problems import PROBLEMS, USER_ERRORS
from service.entrypoints.graphql.types.enums import Role
from service.entrypoints.graphql.types.payloads import UpdateUserPayload
from service.entrypoints.graphql.types.user import UserType
from service.services.problems import AuthProblem, InputProblem, NotFound


def _payload(result: User | NotFound | AuthProblem | InputProblem) -> UpdateUserPayload:
    if isinstance(result, PROBLEMS):
        return USER_ERRORS(result)
    return UserType.from_domain(result)


@strawberry.type
class AdminMutationMixin:
    @strawberry.mutation(
        description="Make a user an ADMIN or a USER (admins only).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def set_user_role(
        self,
        info: Info[Context, None],
        principal: Principal,
        user_id: strawberry.ID,
        role: Role,  # type: ignore[valid-type]
    ) -> UpdateUserPayload:
        admin = info.context.use_cases.accounts.admin
        return _payload(await admin.set_role(principal, str(user_id), role))

    @strawberry.mutation(
        description="Set a user's quotas (admins only).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def set_user_quota(
        self,
        info: Info[Context, None],
        principal: Principal,
        user_id: strawberry.ID,
        input: QuotaInput,
    ) -> UpdateUserPayload:
        admin = info.context.use_cases.accounts.admin
        return _payload(await admin.set_quotas(principal, str(user_id), input.to_domain()))
