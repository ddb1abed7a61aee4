"""`SandboxReaper`: deletes sandbox pods and ConfigMaps that no execution needs any more.

It knows nothing of the database: the caller passes `active_executions`, which answers
which of the given execution ids are still active (queued, scheduled or running). Pods and
ConfigMaps of every other id — terminal or unknown — are deleted, once they are older than
`min_age_seconds` so that a launch in flight is never raced.

Idle warm pods (`pool.py`) have no execution yet: they are orphans when no running pool owns
them (`pool_owner()` names the leader's pool, None without one), and are deleted with a
precondition on the version seen, so a pod claimed or adopted meanwhile is left alone.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError
from service.adapters.sandbox.kubernetes.claims import conditional_delete
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.podspecs import EXECUTION_LABEL, MANAGED_SELECTOR
from service.adapters.sandbox.kubernetes.poolpods import is_idle, owner_of

logger = logging.getLogger(__name__)

ActiveExecutions = Callable[[set[str]], Awaitable[set[str]]]


@dataclass(frozen=True, slots=True)
class ReapResult:
    pods: list[str] = field(default_factory=list)
    configmaps: list[str] = field(default_factory=list)


class SandboxReaper:
    """One pass with `reap_once()`, or `run()` every `interval_seconds` until cancelled."""

    def __init__(
        self,
        api: KubeApi,
        config: KubernetesBackendConfig,
        active_executions: ActiveExecutions,
        *,
        min_age_seconds: float = 60.0,
        pool_owner: Callable[[], str | None] | None = None,
    ) -> None:
        self._api = api
        self._pool_owner = pool_owner or (lambda: None)
        self._active_executions = active_executions
        self._min_age = datetime.timedelta(seconds=min_age_seconds)
        base = f"/api/v1/namespaces/{config.namespace}"
        self._kinds = {"pods": f"{base}/pods", "configmaps": f"{base}/configmaps"}

    async def run(self, interval_seconds: float) -> None:
        while True:
            try:
                result = await self.reap_once()
                if result.pods or result.configmaps:
                    logger.info(
                        "reaped %d pods and %d configmaps", len(result.pods), len(result.configmaps)
                    )
            except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("reaping sandboxes failed: %s", exc)
            await asyncio.sleep(interval_seconds)

    async def reap_once(self) -> ReapResult:
        objects = {kind: await self._list(path) for kind, path in self._kinds.items()}
        by_execution: dict[str, list[tuple[str, JsonObject]]] = {}
        now = datetime.datetime.now(datetime.UTC)
        result = ReapResult()
        owner = self._pool_owner()
        for pod in objects["pods"]:
            if is_idle(pod) and owner_of(pod) != owner and self._old_enough(pod, now):
                name = pod["metadata"]["name"]
                if await conditional_delete(self._api, f"{self._kinds['pods']}/{name}", pod):
                    result.pods.append(name)
        for kind, items in objects.items():
            for obj in items:
                execution_id = (obj.get("metadata", {}).get("labels") or {}).get(EXECUTION_LABEL)
                if isinstance(execution_id, str) and self._old_enough(obj, now):
                    by_execution.setdefault(execution_id, []).append((kind, obj))
        if not by_execution:
            return result
        active = await self._active_executions(set(by_execution))
        for execution_id, found in sorted(by_execution.items()):
            if execution_id in active:
                continue
            for kind, obj in found:
                name = obj["metadata"]["name"]
                deleted = await self._api.delete(
                    f"{self._kinds[kind]}/{name}",
                    {"propagationPolicy": "Background", "gracePeriodSeconds": 0},
                )
                if deleted is not None:
                    (result.pods if kind == "pods" else result.configmaps).append(name)
        return result

    async def _list(self, path: str) -> list[JsonObject]:
        body = await self._api.get(path, {"labelSelector": MANAGED_SELECTOR})
        return [item for item in body.get("items") or [] if _is_ours(item)]

    def _old_enough(self, obj: JsonObject, now: datetime.datetime) -> bool:
        created = obj.get("metadata", {}).get("creationTimestamp")
        if not isinstance(created, str):
            return True
        try:
            when = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return True
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        return now - when >= self._min_age


def _is_ours(obj: dict[str, Any]) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return bool(labels.get("app.kubernetes.io/managed-by") == "podrun")
