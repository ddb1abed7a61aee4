"""Who is calling, over HTTP and WebSocket, and the HTTP-level limits of the API.

HTTP requests carry `Authorization: Bearer <token>`; a graphql-transport-ws connection carries
it in `connectionParams.authorization` (browsers cannot set headers on a WebSocket). A socket
whose token is invalid is closed with 4403 before any operation runs, and so is one whose
token expires or is revoked while it is open (http/socket_tokens.py). WebSocket auth never
rests on cookies, so a cross-site page cannot ride a user's session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UNSET, UnsetType

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.hardening import Hardening
from service.entrypoints.http.socket_tokens import TokenBoundTransportWSHandler
from service.services.accounts.authenticating import Authenticator
from service.services.ports.store import StoreUnavailable
from service.services.problems import AuthCode, AuthProblem


@dataclass(frozen=True, slots=True)
class ApiSecurity:
    hardening: Hardening = field(default_factory=Hardening)
    max_body_bytes: int = 4 * 1024 * 1024
    max_subscriptions_per_connection: int = 16
    # How often an open WebSocket checks a token that does not expire on its own.
    socket_recheck_seconds: float = 60.0
    cors_origins: tuple[str, ...] = ()


def bearer_of(authorization: Any) -> str | AuthProblem | None:
    """The token of an `Authorization` value; None when absent, a problem when malformed."""
    if authorization is None or authorization == "":
        return None
    if not isinstance(authorization, str):
        return AuthProblem("authorization must be a string", AuthCode.INVALID_TOKEN)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return AuthProblem("use `Authorization: Bearer <token>`", AuthCode.INVALID_TOKEN)
    return token.strip()


async def principal_from(
    auth: Authenticator, authorization: Any, client: str | None
) -> Principal | AuthProblem:
    token = bearer_of(authorization)
    if isinstance(token, AuthProblem):
        return token
    try:
        return await auth.authenticate(token, client=client)
    except StoreUnavailable:
        return AuthProblem(
            "the store is unavailable: the token cannot be checked; try again shortly",
            AuthCode.STORE_UNAVAILABLE,
        )


def client_of(connection: HTTPConnection) -> str | None:
    return connection.client.host if connection.client else None


@dataclass(frozen=True, slots=True)
class SocketCredentials:
    """The `Authorization` a WebSocket opened with, checked as an HTTP request's would be."""

    auth: Authenticator
    authorization: Any
    client: str | None
    recheck_seconds: float

    @property
    def refused_from(self) -> datetime | None:
        token = bearer_of(self.authorization)
        return None if isinstance(token, AuthProblem) else self.auth.refused_from(token)

    async def check(self) -> Principal | AuthProblem:
        return await principal_from(self.auth, self.authorization, self.client)


class AuthenticatingRouter(GraphQLRouter[Context, None]):
    """Authenticates graphql-transport-ws connections from their `connectionParams` (else
    the upgrade request's header), and keeps each connection to its token's lifetime."""

    graphql_transport_ws_handler_class = TokenBoundTransportWSHandler

    def __init__(self, *args: Any, socket_recheck_seconds: float = 60.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.socket_recheck_seconds = socket_recheck_seconds

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        given = params.get("authorization", params.get("Authorization"))
        connection = context.request
        if isinstance(connection, HTTPConnection):
            if given is None:
                given = connection.headers.get("authorization")
            context.credentials = SocketCredentials(
                context.use_cases.accounts.auth,
                given,
                client_of(connection),
                self.socket_recheck_seconds,
            )
        problem = await context.caller()
        # A token that cannot be checked now is not refused: each operation checks it again
        # and answers STORE_UNAVAILABLE until the store is back.
        if isinstance(problem, AuthProblem) and problem.code != AuthCode.STORE_UNAVAILABLE:
            raise ConnectionRejectionError
        unset: UnsetType = UNSET
        return unset


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send)
            return
        # Read the body first (bounded), then replay it: the limit holds for chunked bodies.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await _too_large(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send) -> None:
    body = b'{"errors":[{"message":"request body too large"}]}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def add_http_limits(app: FastAPI, security: ApiSecurity) -> None:
    app.add_middleware(BodySizeLimit, max_bytes=security.max_body_bytes)
    if security.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(security.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type"],
            allow_credentials=False,
            max_age=600,
        )
