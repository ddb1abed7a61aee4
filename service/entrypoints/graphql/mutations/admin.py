"""Admin mutations: a user's role and quotas (:mod:`service.services.accounts.administering`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import User
from service.entrypoints.graphql.context import Context, caller
from service.entrypoints.graphql.input_types.quota_input import QuotaInput
from service.entrypoints.graphql.problems import PROBLEMS, USER_ERRORS, auth_error
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
    @strawberry.mutation(description="Make a user an ADMIN or a USER (admins only).")
    async def set_user_role(
        self,
        info: Info[Context, None],
        user_id: strawberry.ID,
        role: Role,  # type: ignore[valid-type]
    ) -> UpdateUserPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return auth_error(principal)
        admin = info.context.use_cases.accounts.admin
        return _payload(await admin.set_role(principal, str(user_id), role))

    @strawberry.mutation(description="Set a user's quotas (admins only).")
    async def set_user_quota(
        self, info: Info[Context, None], user_id: strawberry.ID, input: QuotaInput
    ) -> UpdateUserPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return auth_error(principal)
        admin = info.context.use_cases.accounts.admin
        return _payload(await admin.set_quotas(principal, str(user_id), input.to_domain()))
