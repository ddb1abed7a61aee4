"""`WarmPodPool`: sandbox pods started ahead of demand, one execution each.

A cold pod costs the execution its scheduling, image and container start (1 to 3 s in a
cluster, against milliseconds to run `print(1)`). The pool keeps, per configured runtime
(`KubernetesBackendConfig.warm_pods`), a few pods of the default limits shape running with
their runner waiting on stdin (`poolpods.py`). An execution that fits one claims it
(`claims.py`: a compare-and-set on the pod, so no pod ever serves twice), gets its script
through the attach channel (`handover.py`), and from then on the pod is that execution's
like a cold one: the handle (`handle.py`) watches it and deletes it at the end. The pool
replaces each claimed pod at once.

Lifecycle. The pool belongs to the leading worker's term: `start()` lists the warm pods,
adopts idle ones an earlier leader left (compare-and-set on their owner label), retires
those of an old shape or that died, and fills up; `stop()` (leadership lost) leaves idle pods
for the next leader; `retire_all()` (shutdown) deletes this pool's idle pods. While running,
it replaces pods that die or that waited longer than `warm_pod_max_idle_seconds`, and backs
off when the API refuses a pod (e.g. the namespace's ResourceQuota is used up: warm pods
count against it like any other). Pods left by a pool that is gone are the reaper's
(`reaping.py`).

Pod events reach it from the backend's one `PodWatcher`; a periodic list keeps it honest.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
from dataclasses import dataclass, field

import aiohttp

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError
from service.adapters.sandbox.kubernetes.claims import (
    adoption_patch,
    age_seconds,
    claim_patch,
    conditional_delete,
    conditional_patch,
    is_claimed_by,
)
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.podstates import read_pod
from service.adapters.sandbox.kubernetes.poolpods import (
    POOL_SELECTOR,
    PoolShape,
    build_pool_pod,
    is_idle,
    owner_of,
    shape_of,
)
from service.adapters.sandbox.kubernetes.watching import PodEvent
from service.domain.sandboxes import SandboxSpec
from service.services.ports.sandbox import NoPoolMetrics, PoolMetrics

logger = logging.getLogger(__name__)


# Why an execution did not get a warm pod.
MISS_EMPTY = "empty"  # it fits, but no warm pod was ready
MISS_SHAPE = "shape"  # its limits differ from its runtime's pool
MISS_NO_POOL = "no_pool"  # no pool for its runtime
MISS_HANDOVER = "handover"  # it claimed one, but the hand-over failed


@dataclass
class PoolStats:
    """Counters since the pool started (tests and the bench read them)."""

    hits: int = 0
    misses: dict[str, int] = field(default_factory=dict)
    created: int = 0
    retired: int = 0
    adopted: int = 0
    create_failures: int = 0
    refill_seconds: list[float] = field(default_factory=list)


@dataclass
class _Tracked:
    pod: JsonObject
    shape_key: str
    created_at: float | None = None  # monotonic, for pods this pool created
    ready_seen: bool = False


class WarmPodPool:
    def __init__(
        self,
        api: KubeApi,
        config: KubernetesBackendConfig,
        shapes: list[PoolShape],
        *,
        owner: str,
        metrics: PoolMetrics | None = None,
    ) -> None:
        self._api = api
        self._config = config
        self._shapes = {shape.key: shape for shape in shapes}
        self.owner = owner
        self._metrics = metrics or NoPoolMetrics()
        self._path = f"/api/v1/namespaces/{config.namespace}/pods"
        self._pods: dict[str, _Tracked] = {}  # idle pods this pool owns, by name
        self._reserved: set[str] = set()  # being claimed right now by this process
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self._retry_at = 0.0
        self.stats = PoolStats()

    @property
    def shapes(self) -> list[PoolShape]:
        return list(self._shapes.values())

    def ready_count(self, runtime_id: str | None = None) -> int:
        return sum(
            1
            for name, tracked in self._pods.items()
            if self._usable(tracked)
            and name not in self._reserved
            and (runtime_id is None or self._shapes[tracked.shape_key].runtime.id == runtime_id)
        )

    # Lifecycle.

    async def start(self) -> None:
        await self._reconcile(adopt=True)
        self._task = asyncio.create_task(self._run(), name="podrun-warm-pool")

    async def refresh(self) -> None:
        """List the pool's pods again (without adopting, retiring or creating any)."""
        await self._relist(adopt=False)

    async def stop(self) -> None:
        """Stop refilling; idle pods stay for the next leader."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for shape in self._shapes.values():  # the next leader reports them now
            self._metrics.sized(shape.runtime.id, 0, 0)

    async def retire_all(self) -> None:
        """Delete this pool's idle pods (shutdown); a pod claimed or adopted meanwhile stays."""
        await self.stop()
        for name, tracked in list(self._pods.items()):
            if name in self._reserved:
                continue
            with contextlib.suppress(KubeError, aiohttp.ClientError, TimeoutError):
                await self._retire(name, tracked.pod)

    # Events from the watcher (synchronous: it is a listener).

    def on_pod_event(self, event: PodEvent) -> None:
        pod = event.pod
        name = str((pod.get("metadata") or {}).get("name", ""))
        tracked = self._pods.get(name)
        if tracked is None:
            # A pod of ours the watch reports before its create call has returned.
            if (
                event.type != "DELETED"
                and is_idle(pod)
                and owner_of(pod) == self.owner
                and shape_of(pod) in self._shapes
                and not read_pod(pod).deleting
            ):
                self._pods[name] = tracked = _Tracked(pod, str(shape_of(pod)))
                self._note_ready(tracked)
                self._wake.set()
            return
        if event.type == "DELETED" or not is_idle(pod) or owner_of(pod) != self.owner:
            del self._pods[name]  # gone, claimed, or adopted by another pool
        else:
            tracked.pod = pod
            self._note_ready(tracked)
        self._wake.set()

    # Claiming.

    def fitting_shape(self, spec: SandboxSpec) -> tuple[PoolShape | None, str | None]:
        """The pool for `spec`, or why none fits it."""
        runtime_pools = [s for s in self._shapes.values() if s.runtime.id == spec.runtime.id]
        if not runtime_pools:
            return None, MISS_NO_POOL
        for shape in runtime_pools:
            if shape.fits(spec):
                return shape, None
        return None, MISS_SHAPE

    async def claim(self, spec: SandboxSpec) -> JsonObject | None:
        """A warm pod now labelled as `spec`'s execution's, or None (start it cold)."""
        shape, reason = self.fitting_shape(spec)
        if shape is None:
            self._miss(spec, reason or MISS_SHAPE)
            return None
        tried: set[str] = set()
        while True:
            name = self._pick(shape, tried)
            if name is None:
                self._miss(spec, MISS_EMPTY)
                return None
            tried.add(name)
            self._reserved.add(name)
            try:
                claimed = await self._claim_one(name, spec)
            finally:
                self._reserved.discard(name)
            if claimed is not None:
                self._pods.pop(name, None)
                self._wake.set()  # replace it at once
                return claimed

    def served(self, spec: SandboxSpec) -> None:
        """The claimed pod got its script: a hit."""
        self.stats.hits += 1
        self._metrics.hit(spec.runtime.id)

    def lost(self, spec: SandboxSpec) -> None:
        """The hand-over to a claimed pod failed (the execution starts cold): a miss."""
        self._miss(spec, MISS_HANDOVER)

    def _pick(self, shape: PoolShape, tried: set[str]) -> str | None:
        """The oldest ready pod of this shape (it has the least idle life left)."""
        candidates = [
            (tracked.pod["metadata"].get("creationTimestamp") or "", name)
            for name, tracked in self._pods.items()
            if tracked.shape_key == shape.key
            and name not in self._reserved
            and name not in tried
            and self._usable(tracked)
        ]
        return min(candidates)[1] if candidates else None

    async def _claim_one(self, name: str, spec: SandboxSpec) -> JsonObject | None:
        tracked = self._pods.get(name)
        if tracked is None:
            return None
        pod = tracked.pod
        for _ in range(2):  # our copy may be one kubelet update behind: read, try again
            try:
                claimed = await conditional_patch(
                    self._api, f"{self._path}/{name}", claim_patch(pod, spec, self._config)
                )
            except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("cannot claim warm pod %s: %s", name, exc)
                self._pods.pop(name, None)
                return None
            if claimed is not None and is_claimed_by(claimed, spec.execution_id):
                return claimed
            try:
                pod = await self._api.get(f"{self._path}/{name}")
            except (KubeError, aiohttp.ClientError, TimeoutError):
                pod = {}
            if not (is_idle(pod) and owner_of(pod) == self.owner):
                self._pods.pop(name, None)  # someone else's now, or gone
                return None
            tracked.pod = pod
            if not self._usable(tracked):
                return None
        return None

    def _miss(self, spec: SandboxSpec, reason: str) -> None:
        self.stats.misses[reason] = self.stats.misses.get(reason, 0) + 1
        self._metrics.miss(spec.runtime.id, reason)

    # Keeping it full.

    async def _run(self) -> None:
        interval = self._config.warm_pod_reconcile_seconds
        last_list = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._next_wait(interval, last_list))
            self._wake.clear()
            relist = time.monotonic() - last_list >= interval
            try:
                await self._reconcile(adopt=False, relist=relist)
                if relist:
                    last_list = time.monotonic()
            except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("keeping the warm pool full failed: %s", exc)
                self._back_off()

    def _next_wait(self, interval: float, last_list: float) -> float:
        now = time.monotonic()
        waits = [max(last_list + interval - now, 0.0)]
        if self._retry_at > now:
            waits.append(self._retry_at - now)
        return max(min(waits), 0.01)

    async def _reconcile(self, *, adopt: bool, relist: bool = True) -> None:
        if relist:
            await self._relist(adopt=adopt)
        now = datetime.datetime.now(datetime.UTC)
        for name, tracked in list(self._pods.items()):
            if name in self._reserved:
                continue
            state = read_pod(tracked.pod)
            too_old = age_seconds(tracked.pod, now) > self._config.warm_pod_max_idle_seconds
            if state.finished or state.deleting or too_old:
                await self._retire(name, tracked.pod)
        if time.monotonic() >= self._retry_at:
            await self._fill()
        for shape in self._shapes.values():
            starting = sum(
                1 for t in self._pods.values() if t.shape_key == shape.key and not self._usable(t)
            )
            ready = sum(1 for t in self._pods.values() if t.shape_key == shape.key) - starting
            self._metrics.sized(shape.runtime.id, ready, starting)

    async def _relist(self, *, adopt: bool) -> None:
        body = await self._api.get(self._path, {"labelSelector": POOL_SELECTOR})
        seen: set[str] = set()
        for listed in body.get("items") or []:
            if not is_idle(listed):
                continue  # claimed: an execution's pod now
            pod = listed
            name = str(pod["metadata"]["name"])
            key = shape_of(pod)
            if owner_of(pod) != self.owner:
                if not adopt:
                    continue  # another pool's; the reaper judges orphans
                if key not in self._shapes:
                    await self._retire(name, pod)
                    continue
                adopted = await conditional_patch(
                    self._api, f"{self._path}/{name}", adoption_patch(pod, self.owner)
                )
                if adopted is None:
                    continue
                self.stats.adopted += 1
                pod = adopted
            elif key not in self._shapes:
                await self._retire(name, pod)
                continue
            seen.add(name)
            tracked = self._pods.get(name)
            if tracked is None:
                tracked = self._pods[name] = _Tracked(pod, str(key))
            else:
                tracked.pod = pod
            self._note_ready(tracked)
        for name in set(self._pods) - seen - self._reserved:
            del self._pods[name]

    async def _fill(self) -> None:
        for shape in self._shapes.values():
            have = sum(1 for t in self._pods.values() if t.shape_key == shape.key)
            for _ in range(shape.count - have):
                body = build_pool_pod(shape, self._config, self.owner)
                try:
                    created = await self._api.create(self._path, body)
                except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
                    # e.g. 403 exceeded quota: warm pods wait for room like executions do
                    self.stats.create_failures += 1
                    logger.warning("cannot start a warm pod for %s: %s", shape.runtime.id, exc)
                    self._back_off()
                    return
                self._failures = 0
                self.stats.created += 1
                name = str(created["metadata"]["name"])
                if name not in self._pods:  # the watcher may have been first
                    self._pods[name] = _Tracked(created, shape.key, created_at=time.monotonic())
                else:
                    self._pods[name].created_at = time.monotonic()

    async def _retire(self, name: str, pod: JsonObject) -> None:
        """Delete an idle pod of ours; if it changed since we saw it, look again: still idle
        and ours (the kubelet updated its status), delete that version; else leave it."""
        self._pods.pop(name, None)
        path = f"{self._path}/{name}"
        for _ in range(2):
            if await conditional_delete(self._api, path, pod):
                self.stats.retired += 1
                return
            try:
                pod = await self._api.get(path)
            except KubeError as exc:
                if exc.not_found:
                    return
                raise
            if not is_idle(pod) or owner_of(pod) not in (self.owner, None):
                return

    def _back_off(self) -> None:
        delays = self._config.reconnect_backoff_seconds or (1.0,)
        self._retry_at = time.monotonic() + delays[min(self._failures, len(delays) - 1)]
        self._failures += 1

    def _usable(self, tracked: _Tracked) -> bool:
        state = read_pod(tracked.pod)
        return state.running and not state.deleting and not state.finished

    def _note_ready(self, tracked: _Tracked) -> None:
        if tracked.ready_seen or not self._usable(tracked):
            return
        tracked.ready_seen = True
        if tracked.created_at is not None:
            seconds = time.monotonic() - tracked.created_at
            self.stats.refill_seconds.append(seconds)
            shape = self._shapes.get(tracked.shape_key)
            if shape is not None:
                self._metrics.refilled(shape.runtime.id, seconds)
