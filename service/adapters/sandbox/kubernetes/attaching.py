"""`StdinAttachment`: interactive stdin through the pod's `attach` subresource (websocket).

The container runs with `stdin: true, stdinOnce: true`: the first attach session owns stdin
and closing it is EOF for the runner. So one session lives for the whole execution; if it
drops, stdin is gone (`BrokenPipeError`), as with a pipe. Frames use the Kubernetes channel
protocol: channel byte 0 is stdin; `v5.channel.k8s.io` can also close stdin explicitly
(`0xFF 0x00`), on `v4` closing the session does it.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from service.adapters.sandbox.kubernetes.api import KubeApi, KubeError
from service.adapters.sandbox.kubernetes.podspecs import CONTAINER_NAME

STDIN_CHANNEL = b"\x00"
CLOSE_CHANNEL = b"\xff"
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")


class StdinAttachment:
    """Writes to a running container's stdin; opens the session on first use."""

    def __init__(self, api: KubeApi, namespace: str, pod_name: str) -> None:
        self._api = api
        self._path = f"/api/v1/namespaces/{namespace}/pods/{pod_name}/attach"
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    async def write(self, data: bytes) -> None:
        async with self._lock:
            if self._closed:
                raise BrokenPipeError("stdin of the sandbox is closed")
            socket = await self._connect()
            try:
                await socket.send_bytes(STDIN_CHANNEL + data)
            except (aiohttp.ClientError, ConnectionError, RuntimeError) as exc:
                await self._drop()
                raise BrokenPipeError(f"stdin of the sandbox is gone: {exc}") from exc

    async def close(self) -> None:
        """EOF for the script; idempotent."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            socket = self._socket
            if socket is None:
                # Never attached: attach once so stdinOnce turns the detach into EOF.
                try:
                    socket = await self._connect()
                except BrokenPipeError:
                    return
            if socket.protocol == PROTOCOLS[0] and not socket.closed:
                with contextlib.suppress(aiohttp.ClientError, ConnectionError, RuntimeError):
                    await socket.send_bytes(CLOSE_CHANNEL + STDIN_CHANNEL)
            await self._drop()

    async def _connect(self) -> aiohttp.ClientWebSocketResponse:
        if self._socket is not None and not self._socket.closed:
            return self._socket
        if self._socket is not None:
            self._closed = True
            raise BrokenPipeError("stdin of the sandbox is gone: the attach session ended")
        params = [
            ("container", CONTAINER_NAME),
            ("stdin", "true"),
            ("stdout", "false"),
            ("stderr", "false"),
            ("tty", "false"),
        ]
        try:
            self._socket = await self._api.websocket(self._path, params, PROTOCOLS)
        except (aiohttp.ClientError, KubeError, TimeoutError) as exc:
            raise BrokenPipeError(f"cannot attach to the sandbox's stdin: {exc}") from exc
        return self._socket

    async def _drop(self) -> None:
        socket, self._socket = self._socket, None
        self._closed = True
        if socket is not None and not socket.closed:
            await socket.close()
