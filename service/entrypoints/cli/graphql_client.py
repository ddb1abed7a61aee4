"""A small GraphQL client: queries over HTTP, subscriptions over graphql-transport-ws."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import websockets


class GraphQLRequestError(RuntimeError):
    """The server answered with GraphQL errors (or not at all)."""


class GraphQLClient:
    def __init__(self, url: str, *, token: str | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/graphql"):
            self.url += "/graphql"
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = timeout

    @property
    def headers(self) -> dict[str, str]:
        """What authorizes its requests: for file downloads with the same rights."""
        return dict(self._headers)

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[len("http") :]

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            response = await http.post(
                self.url,
                json={"query": query, "variables": variables or {}},
                headers=self._headers,
            )
        try:
            body = response.json()
        except ValueError as error:
            raise GraphQLRequestError(
                f"HTTP {response.status_code} from {self.url}: {response.text[:200]}"
            ) from error
        if body.get("errors"):
            raise GraphQLRequestError("; ".join(e.get("message", "?") for e in body["errors"]))
        data: dict[str, Any] = body["data"]
        return data

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield each `next` payload's data; return on `complete`; raise on `error`."""
        async with websockets.connect(
            self.ws_url,
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            open_timeout=self._timeout,
            max_size=None,
        ) as socket:
            init: dict[str, Any] = {"type": "connection_init"}
            if self._headers:
                init["payload"] = {"authorization": self._headers["Authorization"]}
            await socket.send(json.dumps(init))
            ack = json.loads(await socket.recv())
            if ack.get("type") != "connection_ack":
                raise GraphQLRequestError(f"expected connection_ack, got {ack}")
            operation_id = uuid.uuid4().hex
            await socket.send(
                json.dumps(
                    {
                        "id": operation_id,
                        "type": "subscribe",
                        "payload": {"query": query, "variables": variables or {}},
                    }
                )
            )
            async for raw in socket:
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await socket.send(json.dumps({"type": "pong"}))
                elif kind == "next" and message.get("id") == operation_id:
                    payload = message["payload"]
                    if payload.get("errors"):
                        raise GraphQLRequestError(
                            "; ".join(e.get("message", "?") for e in payload["errors"])
                        )
                    yield payload["data"]
                elif kind == "error" and message.get("id") == operation_id:
                    raise GraphQLRequestError(
                        "; ".join(e.get("message", "?") for e in message.get("payload", []))
                    )
                elif kind == "complete" and message.get("id") == operation_id:
                    return
