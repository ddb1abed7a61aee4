"""graphql-transport-ws connections that live no longer than the token they opened with.

strawberry keeps one context per connection, so besides the check of each operation (see
`Context.caller`) a socket must end on its own when its token does: a subscription started
with a valid token would otherwise stream for hours after it expired or was revoked. At the
token's expiry (and every `recheck_seconds` for tokens that only end by revocation) the
socket checks its token again; once refused, its operations end and it closes with 4403.
The client then refreshes its token, reconnects and resumes each stream with `afterSeq`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from service.entrypoints.graphql.context import Context, Credentials
from service.services.problems import AuthProblem

log = logging.getLogger(__name__)

# Checked this long after the moment the token is refused, so the check sees it refused.
EXPIRY_MARGIN_SECONDS = 0.1
CLOSE_CODE = 4403


def seconds_to_next_check(credentials: Credentials, now: float) -> float:
    refused_from = credentials.refused_from
    if refused_from is None:
        return credentials.recheck_seconds
    left = refused_from.timestamp() - now
    if left <= 0:
        # Past its expiry yet accepted (clock step): not a reason to spin.
        return min(1.0, credentials.recheck_seconds)
    return min(left + EXPIRY_MARGIN_SECONDS, credentials.recheck_seconds)


class TokenBoundTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Closes the connection with 4403 once its token is no longer accepted."""

    _guard: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._guard is None:
            self._guard = asyncio.create_task(self._close_when_refused())

    async def shutdown(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._guard
        await super().shutdown()

    async def _close_when_refused(self) -> None:
        credentials = self.context.credentials
        if credentials is None:
            return
        while True:
            await asyncio.sleep(seconds_to_next_check(credentials, time.time()))
            try:
                principal = await self.context.caller()
            except Exception:
                # A store hiccup: the token is checked again next time, the socket stays.
                log.warning("cannot check a WebSocket's token", exc_info=True)
                continue
            if isinstance(principal, AuthProblem):
                break
        # End the operations first, so none sends on the closing socket.
        tasks = [operation.task for operation in self.operations.values() if operation.task]
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        await self.websocket.close(code=CLOSE_CODE, reason=principal.message)
