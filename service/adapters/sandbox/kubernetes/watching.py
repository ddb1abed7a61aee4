"""`PodWatcher`: one list-then-watch of the sandbox pods, fanned out to the executions.

List, then watch from the list's resourceVersion with bookmarks; a watch that ends or goes
quiet is re-opened from the last resourceVersion seen; `410 Gone` (too old) means re-list,
and pods that vanished in between are reported deleted. Every read is bounded by a timeout and
reconnects back off. Consumers are level-triggered: they receive the latest pod each time it
changes (possibly more than once), keyed by the execution-id label.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.podspecs import (
    EXECUTION_LABEL,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    MANAGED_SELECTOR,
)
from service.adapters.sandbox.kubernetes.poolpods import is_pool_pod

logger = logging.getLogger(__name__)

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
# A watch that ends sooner than this without a single event counts as a failure (backoff).
QUICK_WATCH_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class PodEvent:
    type: EventType
    pod: JsonObject


PodListener = Callable[[PodEvent], None]


class WatchExpired(Exception):
    """410 Gone: the resourceVersion is too old to watch from; list again."""


class PodWatcher:
    """Keeps the latest state of every sandbox pod and tells the listeners of each execution."""

    def __init__(self, api: KubeApi, config: KubernetesBackendConfig) -> None:
        self._api = api
        self._config = config
        self._path = f"/api/v1/namespaces/{config.namespace}/pods"
        self._pods: dict[str, JsonObject] = {}
        self._listeners: dict[str, list[PodListener]] = {}
        self._resource_version: str | None = None
        self._task: asyncio.Task[None] | None = None
        self.relists = 0  # for observability and tests
        # Every event of a warm pod (`pool.py`), whether idle or claimed; one listener.
        self.pool_listener: PodListener | None = None
        self._pool_pods: dict[str, JsonObject] = {}

    async def start(self, timeout: float) -> None:
        """List, then watch in the background; raise KubeError or TimeoutError if the first
        list fails (no access, no namespace, no API)."""
        await asyncio.wait_for(self._relist(), timeout)
        self._task = asyncio.create_task(self._run(), name="podrun-pod-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def latest(self, execution_id: str) -> JsonObject | None:
        return self._pods.get(execution_id)

    def subscribe(self, execution_id: str, listener: PodListener) -> None:
        """Listen to one execution's pod; the current state, if known, is sent at once."""
        self._listeners.setdefault(execution_id, []).append(listener)
        pod = self._pods.get(execution_id)
        if pod is not None:
            listener(PodEvent("MODIFIED", pod))

    def unsubscribe(self, execution_id: str, listener: PodListener) -> None:
        listeners = self._listeners.get(execution_id, [])
        if listener in listeners:
            listeners.remove(listener)
        if not listeners:
            self._listeners.pop(execution_id, None)

    async def _run(self) -> None:
        resource_version = self._resource_version
        failures = 0
        loop = asyncio.get_running_loop()
        while True:
            try:
                opened = loop.time()
                resource_version, events = await self._watch(resource_version)
                if events or loop.time() - opened >= QUICK_WATCH_SECONDS:
                    failures = 0
                else:  # ended at once with nothing: do not hammer the API server
                    await asyncio.sleep(self._backoff(failures))
                    failures += 1
            except WatchExpired:
                logger.info("pod watch expired (410 Gone); listing again")
                resource_version = await self._guarded_relist()
            except (KubeError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
                delay = self._backoff(failures)
                failures += 1
                logger.warning("pod watch failed (%s); reconnecting in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                if isinstance(exc, KubeError) and exc.gone:
                    resource_version = await self._guarded_relist()

    async def _guarded_relist(self) -> str | None:
        failures = 0
        while True:
            try:
                await self._relist()
            except (KubeError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
                delay = self._backoff(failures)
                failures += 1
                logger.warning("listing pods failed (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
            else:
                return self._resource_version

    def _backoff(self, failures: int) -> float:
        delays = self._config.reconnect_backoff_seconds
        return delays[min(failures, len(delays) - 1)] if delays else 1.0

    async def _relist(self) -> None:
        body = await self._api.get(self._path, {"labelSelector": MANAGED_SELECTOR})
        self.relists += 1
        self._resource_version = (body.get("metadata") or {}).get("resourceVersion")
        seen: set[str] = set()
        pool_seen: set[str] = set()
        for pod in body.get("items") or []:
            if is_pool_pod(pod):
                pool_seen.add(str(pod["metadata"].get("name")))
                self._to_pool(PodEvent("MODIFIED", pod))
            execution_id = _execution_id(pod)
            if execution_id is not None:
                seen.add(execution_id)
                self._dispatch(PodEvent("MODIFIED", pod), execution_id)
        for execution_id in set(self._pods) - seen:
            self._dispatch(PodEvent("DELETED", self._pods[execution_id]), execution_id)
        for name in set(self._pool_pods) - pool_seen:
            self._to_pool(PodEvent("DELETED", self._pool_pods[name]))

    async def _watch(self, resource_version: str | None) -> tuple[str | None, int]:
        """One watch request; returns the resourceVersion to continue from and how many
        events (bookmarks included) it brought."""
        events = 0
        params = {
            "watch": "true",
            "allowWatchBookmarks": "true",
            "labelSelector": MANAGED_SELECTOR,
            "timeoutSeconds": str(self._config.watch_timeout_seconds),
        }
        if resource_version:
            params["resourceVersion"] = resource_version
        async with self._api.lines(
            self._path, params, read_timeout=self._config.read_timeout_seconds
        ) as lines:
            async for line in lines:
                events += 1
                event = json.loads(line)
                kind = event.get("type")
                obj = event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise WatchExpired(obj.get("message"))
                    raise KubeError(
                        int(obj.get("code") or 500), str(obj.get("reason")), str(obj.get("message"))
                    )
                resource_version = (obj.get("metadata") or {}).get(
                    "resourceVersion", resource_version
                )
                self._resource_version = resource_version
                if kind in ("ADDED", "MODIFIED", "DELETED") and is_pool_pod(obj):
                    self._to_pool(PodEvent(kind, obj))
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    execution_id = _execution_id(obj)
                    if execution_id is not None:
                        self._dispatch(PodEvent(kind, obj), execution_id)
        return resource_version, events

    def _to_pool(self, event: PodEvent) -> None:
        name = str((event.pod.get("metadata") or {}).get("name"))
        if event.type == "DELETED":
            self._pool_pods.pop(name, None)
        else:
            self._pool_pods[name] = event.pod
        if self.pool_listener is not None:
            self.pool_listener(event)

    def _dispatch(self, event: PodEvent, execution_id: str) -> None:
        if event.type == "DELETED":
            self._pods.pop(execution_id, None)
        else:
            self._pods[execution_id] = event.pod
        for listener in list(self._listeners.get(execution_id, [])):
            listener(event)


def _execution_id(pod: dict[str, Any]) -> str | None:
    """The execution of a sandbox pod; None for pods that are not ours (checked here too,
    in case a server ignores the label selector)."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    if labels.get(MANAGED_BY_LABEL) != MANAGED_BY:
        return None
    value = labels.get(EXECUTION_LABEL)
    return value if isinstance(value, str) else None
