"""Raw-JSON access to the Kubernetes API through the process's one `ApiClient`.

The backend reads pods as plain dicts (what it asserts on is the wire format, not generated
models) and streams watches and logs line by line with its own timeouts; everything still goes
through kubernetes-asyncio's `ApiClient`, so authentication, TLS and token refresh are its own.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import urlencode

import aiohttp
from kubernetes_asyncio import config as kube_config
from kubernetes_asyncio.client import ApiClient, Configuration

from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig

JsonObject = dict[str, Any]
AUTH_SETTINGS = ["BearerToken"]
MERGE_PATCH = "application/merge-patch+json"


class KubeError(Exception):
    """The API answered with an error status (or not at all: status 0)."""

    def __init__(self, status: int, reason: str, message: str = "") -> None:
        super().__init__(f"{status} {reason}: {message}" if message else f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.message = message

    @property
    def not_found(self) -> bool:
        return self.status == 404

    @property
    def conflict(self) -> bool:
        return self.status == 409

    @property
    def gone(self) -> bool:
        return self.status == 410


async def new_api_client(config: KubernetesBackendConfig) -> ApiClient:
    """The one ApiClient of the process, from the configured connection."""
    configuration = Configuration()
    if config.api_url is not None:
        configuration.host = config.api_url
    elif config.in_cluster:
        kube_config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    else:
        await kube_config.load_kube_config(
            config_file=config.kubeconfig,
            context=config.context,
            client_configuration=configuration,
            persist_config=False,
        )
    return ApiClient(configuration=configuration)


class KubeApi:
    """JSON requests, line streams and websockets over one ApiClient."""

    def __init__(self, client: ApiClient, *, request_timeout: float) -> None:
        self.client = client
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> JsonObject:
        return await self._json("GET", path, params=params)

    async def create(self, path: str, body: JsonObject) -> JsonObject:
        return await self._json("POST", path, body=body)

    async def patch(self, path: str, body: JsonObject) -> JsonObject:
        return await self._json("PATCH", path, body=body, content_type=MERGE_PATCH)

    async def delete(self, path: str, body: JsonObject | None = None) -> JsonObject | None:
        """Delete; None when it was already gone."""
        try:
            return await self._json("DELETE", path, body=body)
        except KubeError as exc:
            if exc.not_found:
                return None
            raise

    @asynccontextmanager
    async def lines(
        self, path: str, params: Mapping[str, str], *, read_timeout: float
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """A streaming GET (watch, logs): yields complete lines; no byte waits longer than
        `read_timeout` (asyncio.TimeoutError); a partial last line is never yielded."""
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._timeout.total, sock_read=read_timeout
        )
        response = await self._request("GET", path, params=params, timeout=timeout)
        try:
            await _raise_for_status(response)
            yield _complete_lines(response)
        finally:
            response.release()
            response.close()

    async def websocket(
        self, path: str, params: list[tuple[str, str]], protocols: tuple[str, ...]
    ) -> aiohttp.ClientWebSocketResponse:
        """Open a websocket (pod attach/exec) over the same session and credentials."""
        headers: dict[str, str] = dict(self.client.default_headers)
        await self.client.update_params_for_auth(headers, [], AUTH_SETTINGS)
        host = self.client.configuration.host or ""
        url = host.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        url = f"{url}{path}?{urlencode(params)}"
        session = self.client.rest_client.pool_manager
        return await session.ws_connect(
            url, headers=headers, protocols=protocols, timeout=aiohttp.ClientWSTimeout(ws_close=5)
        )

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: JsonObject | None = None,
        content_type: str = "application/json",
    ) -> JsonObject:
        response = await self._request(
            method, path, params=params, body=body, content_type=content_type
        )
        try:
            await _raise_for_status(response)
            return cast(JsonObject, await response.json(content_type=None))
        finally:
            response.release()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: JsonObject | None = None,
        content_type: str = "application/json",
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> aiohttp.ClientResponse:
        try:
            response = await self.client.call_api(
                path,
                method,
                query_params=list((params or {}).items()),
                header_params={"Accept": "application/json", "Content-Type": content_type},
                body=body,
                auth_settings=AUTH_SETTINGS,
                _preload_content=False,
                _request_timeout=timeout or self._timeout,
            )
        except aiohttp.ClientError as exc:
            raise KubeError(0, type(exc).__name__, str(exc)) from exc
        return cast(aiohttp.ClientResponse, response)


async def _raise_for_status(response: aiohttp.ClientResponse) -> None:
    if response.status < 400:
        return
    text = await response.text()
    message = text
    try:
        status = json.loads(text)
        message = str(status.get("message", text))
    except ValueError:
        pass
    raise KubeError(response.status, response.reason or "", message[:500])


async def _complete_lines(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    buffer = b""
    async for chunk in response.content.iter_any():
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            if line.strip():
                yield line
