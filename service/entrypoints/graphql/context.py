"""Per-request GraphQL context: the use cases, who is calling, and request-scoped loaders.

Over HTTP the principal comes from `Authorization: Bearer …`; over a WebSocket from
`connectionParams.authorization`, set once when the connection opens (see http/app.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from service.adapters.telemetry.metrics import ExecutionMetrics
from service.domain.accounts import ANONYMOUS, Principal
from service.domain.executions import Execution
from service.services.problems import AuthProblem
from service.services.usecases import UseCases


class Context(BaseContext):
    def __init__(
        self,
        use_cases: UseCases,
        metrics: ExecutionMetrics,
        principal: Principal | AuthProblem = ANONYMOUS,
        client: str | None = None,
    ) -> None:
        super().__init__()
        self.use_cases = use_cases
        self.metrics = metrics
        # An AuthProblem when the token was invalid (or none was given where anonymous
        # callers are not allowed): such a caller can still log in, and nothing else.
        self.principal = principal
        # The caller's address: for rate limits only, never for access.
        self.client = client
        # Over a WebSocket: checks the token given at connect again. One connection lives
        # for hours; a token that expired or was revoked since, or a user disabled since,
        # must stop working for every operation started after that.
        self.recheck: Callable[[], Awaitable[Principal | AuthProblem]] | None = None
        # Output of running executions, read from the event log once per request.
        self.output_loader: DataLoader[Execution, Execution] = DataLoader(
            load_fn=self._load_output, cache_key_fn=lambda execution: execution.id
        )

    async def _load_output(self, executions: list[Execution]) -> list[Execution]:
        return [await self.use_cases.queries.with_output(e) for e in executions]


def use_cases_of(info: Any) -> UseCases:
    context: Context = info.context
    return context.use_cases


def principal_of(info: Any) -> Principal | AuthProblem:
    context: Context = info.context
    return context.principal


async def current_principal_or_raise(info: Any) -> Principal:
    """`principal_or_raise`, with the WebSocket token checked again first."""
    context: Context = info.context
    if context.recheck is not None:
        context.principal = await context.recheck()
    return principal_or_raise(info)


def principal_or_raise(info: Any) -> Principal:
    """For queries and subscriptions: an invalid token is a GraphQL error."""
    principal = principal_of(info)
    if isinstance(principal, AuthProblem):
        raise GraphQLError(principal.message, extensions={"code": principal.code})
    return principal
