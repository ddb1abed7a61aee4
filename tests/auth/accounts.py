"""Account helpers for the auth tests: register users, forge tokens, raw WebSocket sessions."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
import websockets

from tests.support.client import Api

JWT_SECRET = "test-secret-" + "x" * 40
ISSUER = "podrun"
AUDIENCE = "podrun-api"

AUTH_FIELDS = """
  __typename
  ... on AuthPayload { accessToken refreshToken expiresIn user { id username role } }
  ... on AuthError { message code }
  ... on InputError { message field }
"""
REGISTER = f"mutation($input: RegisterInput!) {{ register(input: $input) {{ {AUTH_FIELDS} }} }}"
LOGIN = f"mutation($input: LoginInput!) {{ login(input: $input) {{ {AUTH_FIELDS} }} }}"
REFRESH = f"mutation($t: String!) {{ refreshToken(refreshToken: $t) {{ {AUTH_FIELDS} }} }}"
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"
ME = "{ me { id username role } }"


@dataclass
class Account:
    username: str
    password: str
    user_id: str
    access_token: str
    refresh_token: str
    api: Api  # calls as this user


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def register(anonymous: Api, prefix: str = "user") -> Account:
    username, password = unique(prefix), "correct horse battery"
    result = (await anonymous.gql(REGISTER, input={"username": username, "password": password}))[
        "register"
    ]
    assert result["__typename"] == "AuthPayload", result
    return Account(
        username,
        password,
        result["user"]["id"],
        result["accessToken"],
        result["refreshToken"],
        anonymous.as_user(result["accessToken"]),
    )


async def login(anonymous: Api, username: str, password: str) -> dict[str, Any]:
    result: dict[str, Any] = (
        await anonymous.gql(LOGIN, input={"username": username, "password": password})
    )["login"]
    return result


def forge(
    user_id: str,
    *,
    key: str = JWT_SECRET,
    algorithm: str = "HS256",
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    lifetime: int = 300,
    role: str = "USER",
    **extra: Any,
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": user_id,
        "role": role,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "typ": "access",
        **extra,
    }
    return jwt.encode(claims, key, algorithm=algorithm)


def alg_none(user_id: str, role: str = "ADMIN") -> str:
    """An unsigned token (`alg: none`), the classic forgery."""
    import base64

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "role": role,
        "iat": now,
        "exp": now + 300,
        "typ": "access",
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def tamper(token: str) -> str:
    """The same token with its payload changed (role ADMIN) and the old signature."""
    import base64

    header, payload, signature = token.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    claims = json.loads(base64.urlsafe_b64decode(padded))
    claims["role"] = "ADMIN"
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


class RawSocket:
    """A graphql-transport-ws connection driven message by message."""

    def __init__(self, api: Api) -> None:
        self.url = api.client.ws_url
        self.socket: Any = None

    async def open(self, params: dict[str, Any] | None) -> dict[str, Any] | int:
        """connection_init with `params`; the ack, or the close code when refused."""
        self.socket = await websockets.connect(
            self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        )
        init: dict[str, Any] = {"type": "connection_init"}
        if params is not None:
            init["payload"] = params
        await self.socket.send(json.dumps(init))
        try:
            reply: dict[str, Any] = json.loads(await self.socket.recv())
        except websockets.ConnectionClosed as closed:
            return int(closed.rcvd.code) if closed.rcvd else -1
        return reply

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        await self.socket.send(
            json.dumps(
                {
                    "id": op_id,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )

    async def receive(self, timeout: float = 30) -> dict[str, Any]:
        import asyncio

        while True:
            message: dict[str, Any] = json.loads(
                await asyncio.wait_for(self.socket.recv(), timeout)
            )
            if message.get("type") == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
