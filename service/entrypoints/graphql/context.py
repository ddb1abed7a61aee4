"""Per-request GraphQL context: the use cases, who is calling, and request-scoped loaders.

Over HTTP the principal comes from `Authorization: Bearer …`, checked when the request
arrives. Over a WebSocket it comes from `connectionParams.authorization` (else the upgrade
request's header), and one context serves every operation of the connection, so the token is
checked again for each operation (`caller`, which the one guard, :mod:`permissions
<service.entrypoints.graphql.permissions>`, calls for every field that acts for a caller) and
while the socket is open (:mod:`service.entrypoints.http.socket_tokens`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from service.adapters.telemetry.metrics import ExecutionMetrics
from service.domain.accounts import ANONYMOUS, Principal
from service.domain.executions import Execution
from service.services.problems import AuthProblem
from service.services.usecases import UseCases


class Credentials(Protocol):
    """What a WebSocket presented when it opened, to check again while it lives."""

    @property
    def refused_from(self) -> datetime | None:
        """When its token stops being accepted; None when it lasts until revoked."""
        ...

    @property
    def recheck_seconds(self) -> float:
        """How often an open socket checks a token that does not expire on its own."""
        ...

    async def check(self) -> Principal | AuthProblem:
        """The principal of the token now, as HTTP would see it."""
        ...


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
        # Over a WebSocket: its token. A connection lives for hours; a token that expired or
        # was revoked since, or a user disabled since, must stop working for every
        # operation started after that.
        self.credentials: Credentials | None = None
        # Output of running executions, read from the event log once per request.
        self.output_loader: DataLoader[Execution, Execution] = DataLoader(
            load_fn=self._load_output, cache_key_fn=lambda execution: execution.id
        )

    async def caller(self) -> Principal | AuthProblem:
        """Who is calling, as of now (an HTTP request is checked once, when it arrives)."""
        if self.credentials is not None:
            self.principal = await self.credentials.check()
        return self.principal

    async def _load_output(self, executions: list[Execution]) -> list[Execution]:
        return [await self.use_cases.queries.with_output(e) for e in executions]
