"""Admin mutations: a user's role and quotas."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from service.domain.accounts import User as DomainUser
from service.entrypoints.graphql.context import Context, caller
from service.entrypoints.graphql.inputs_accounts import QuotaInput
from service.entrypoints.graphql.types.auth import AuthError, Role, User, UserNotFound
from service.entrypoints.graphql.types.errors import InputError
from service.services.problems import AuthProblem, InputProblem, NotFound

UpdateUserPayload = Annotated[
    User | UserNotFound | InputError | AuthError, strawberry.union("UpdateUserPayload")
]


def _payload(result: DomainUser | NotFound | AuthProblem | InputProblem) -> UpdateUserPayload:
    if isinstance(result, NotFound):
        return UserNotFound(message=result.message, id=strawberry.ID(result.id))
    if isinstance(result, AuthProblem):
        return AuthError.from_domain(result)
    if isinstance(result, InputProblem):
        return InputError(message=result.message, field=result.field)
    return User.from_domain(result)


@strawberry.type
class AdminMutations:
    @strawberry.mutation(description="Make a user an ADMIN or a USER (admins only).")
    async def set_user_role(
        self,
        info: Info[Context, None],
        user_id: strawberry.ID,
        role: Role,  # type: ignore[valid-type]
    ) -> UpdateUserPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return AuthError.from_domain(principal)
        admin = info.context.use_cases.accounts.admin
        return _payload(await admin.set_role(principal, str(user_id), role))

    @strawberry.mutation(description="Set a user's quotas (admins only).")
    async def set_user_quota(
        self, info: Info[Context, None], user_id: strawberry.ID, input: QuotaInput
    ) -> UpdateUserPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return AuthError.from_domain(principal)
        admin = info.context.use_cases.accounts.admin
        return _payload(await admin.set_quotas(principal, str(user_id), input.to_domain()))
