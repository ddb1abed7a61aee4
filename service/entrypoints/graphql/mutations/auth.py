"""Mutations on accounts: register, log in, refresh, log out, personal API tokens.

The use cases are in :mod:`service.services.accounts.authenticating`.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.login_input import LoginInput
from service.entrypoints.graphql.input_types.register_input import RegisterInput
from service.entrypoints.graphql.permissions import Authenticated, answer, as_auth_error
from service.entrypoints.graphql.problems import PROBLEMS, USER_ERRORS
from service.entrypoints.graphql.types.api_token_created import ApiTokenCreated
from service.entrypoints.graphql.types.auth_payload import AuthPayload
from service.entrypoints.graphql.types.payloads import AuthResult, CreateApiTokenPayload
from service.services.accounts.authenticating import Session
from service.services.problems import AuthProblem, InputProblem


def _auth_result(result: Session | InputProblem | AuthProblem) -> AuthResult:
    if isinstance(result, PROBLEMS):
        return USER_ERRORS(result)
    return AuthPayload.from_domain(result)


@strawberry.type
class AuthMutationMixin:
    @strawberry.mutation(description="Create an account (when registration is open) and log in.")
    async def register(self, info: Info[Context, None], input: RegisterInput) -> AuthResult:
        auth = info.context.use_cases.accounts.auth
        return _auth_result(
            await auth.register(
                input.username, input.password, input.email, client=info.context.client
            )
        )

    @strawberry.mutation(description="Log in: a new session (access + refresh token).")
    async def login(self, info: Info[Context, None], input: LoginInput) -> AuthResult:
        auth = info.context.use_cases.accounts.auth
        return _auth_result(
            await auth.login(input.username, input.password, client=info.context.client)
        )

    @strawberry.mutation(
        description="Trade a refresh token for a new session; the old token is used up. "
        "Presenting a used token again revokes every token of that login (TOKEN_REUSED)."
    )
    async def refresh_token(self, info: Info[Context, None], refresh_token: str) -> AuthResult:
        auth = info.context.use_cases.accounts.auth
        return _auth_result(await auth.refresh(refresh_token))

    @strawberry.mutation(description="Revoke this refresh token and every one of its login.")
    async def logout(self, info: Info[Context, None], refresh_token: str) -> bool:
        return await info.context.use_cases.accounts.auth.logout(refresh_token)

    @strawberry.mutation(
        description="A personal API token for the CLI and scripts.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def create_api_token(
        self, info: Info[Context, None], principal: Principal, name: str
    ) -> CreateApiTokenPayload:
        issued = await info.context.use_cases.accounts.auth.create_api_token(principal, name)
        if isinstance(issued, PROBLEMS):
            return USER_ERRORS(issued)
        return ApiTokenCreated.from_domain(issued)

    @strawberry.mutation(
        description="Revoke one of the caller's API tokens.",
        extensions=[Authenticated(refused=answer(False))],
    )
    async def revoke_api_token(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> bool:
        return await info.context.use_cases.accounts.auth.revoke_api_token(principal, str(id))
