"""Who is calling, over HTTP and WebSocket, and the HTTP-level limits of the API.

HTTP requests carry `Authorization: Bearer <token>`; a graphql-transport-ws connection carries
it in `connectionParams.authorization` (browsers cannot set headers on a WebSocket). A socket
whose token is invalid is closed with 4403 before any operation runs. WebSocket auth never
rests on cookies, so a cross-site page cannot ride a user's session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from service.services.authenticating import AuthCode, Authenticator
from service.services.problems import AuthProblem
from service.services.store_port import StoreUnavailable


@dataclass(frozen=True, slots=True)
class ApiSecurity:
    hardening: Hardening = field(default_factory=Hardening)
    max_body_bytes: int = 4 * 1024 * 1024
    max_subscriptions_per_connection: int = 16
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


class AuthenticatingRouter(GraphQLRouter[Context, None]):
    """Authenticates graphql-transport-ws connections from their `connectionParams`."""

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        given = params.get("authorization", params.get("Authorization"))
        if given is not None:
            connection = context.request
            client = client_of(connection) if isinstance(connection, HTTPConnection) else None
            auth = context.use_cases.accounts.auth
            context.principal = await principal_from(auth, given, client)

            async def recheck() -> Principal | AuthProblem:
                return await principal_from(auth, given, client)

            context.recheck = recheck
        problem = context.principal
        # A token that cannot be checked now is not refused: each operation checks it again
        # and answers STORE_UNAVAILABLE until the store is back.
        unchecked = isinstance(problem, AuthProblem) and problem.code == AuthCode.STORE_UNAVAILABLE
        if isinstance(problem, AuthProblem) and not (unchecked and context.recheck is not None):
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
