"""`KubernetesSandboxBackend`: a pod per execution, one ApiClient and one watch per process.

Pods outlive the worker on purpose: `close()` leaves them running so that the next leader can
`reattach()`; the reaper removes those that nobody needs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import socket
import uuid

import aiohttp
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import ConfigException

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError, new_api_client
from service.adapters.sandbox.kubernetes.attaching import StdinAttachment
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.handle import KubernetesSandboxHandle
from service.adapters.sandbox.kubernetes.handover import chunks, hand_over
from service.adapters.sandbox.kubernetes.podspecs import (
    InvalidExecutionId,
    build_configmap,
    build_pod,
    execution_selector,
    labels,
    needs_hand_over,
    object_name,
    owner_reference_patch,
    terms_for,
    terms_from_pod,
    uses_configmap,
)
from service.adapters.sandbox.kubernetes.pool import WarmPodPool
from service.adapters.sandbox.kubernetes.poolpods import pool_shapes
from service.adapters.sandbox.kubernetes.reaping import ActiveExecutions, SandboxReaper
from service.adapters.sandbox.kubernetes.watching import PodWatcher
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxSpec
from service.services.ports.sandbox import (
    BackendCapabilities,
    BackendUnavailable,
    PoolMetrics,
    SandboxLaunchError,
)

logger = logging.getLogger(__name__)


def given_files(spec: SandboxSpec) -> frozenset[tuple[str, str]]:
    """(path, sha256) of the inputs: those that come back unchanged are not outputs."""
    return frozenset((f.path, hashlib.sha256(f.data).hexdigest()) for f in spec.files)


class KubernetesSandboxBackend:
    """Runs each sandbox as a locked-down pod in one namespace (see DESIGN.md)."""

    def __init__(
        self,
        config: KubernetesBackendConfig | None = None,
        *,
        api_client: ApiClient | None = None,
        pool_metrics: PoolMetrics | None = None,
    ) -> None:
        self.config = config or KubernetesBackendConfig()
        self._given_client = api_client
        self._client: ApiClient | None = None
        self._api: KubeApi | None = None
        self._watcher: PodWatcher | None = None
        self._pool_metrics = pool_metrics
        # Set by the leadership wiring: warm pods name the worker whose pool owns them.
        self.worker_id: str | None = None
        self._pool: WarmPodPool | None = None
        self._last_pool: WarmPodPool | None = None  # after suspend: retired at close

    @property
    def name(self) -> str:
        return "kubernetes"

    @property
    def capabilities(self) -> BackendCapabilities:
        # Pods outlive their worker; one elected worker watches them all (see `leadership`).
        return BackendCapabilities(sandboxes_outlive_worker=True, needs_leader=True)

    @property
    def api_client(self) -> ApiClient:
        """The process's one ApiClient (share it, e.g. with the LeaseElector)."""
        if self._client is None:
            raise RuntimeError("the backend is not started")
        return self._client

    async def connect(self) -> ApiClient:
        """The process's one ApiClient, created on first use; nothing is watched yet.

        A standby worker replica needs the connection (for the Lease) but must not watch.
        """
        if self._client is None:
            try:
                self._client = self._given_client or await new_api_client(self.config)
            except (ConfigException, OSError, ValueError) as exc:
                raise BackendUnavailable(
                    f"no usable Kubernetes connection ({exc}); set a kubeconfig, run "
                    "in-cluster or give an API URL"
                ) from exc
        return self._client

    async def start(self) -> None:
        config = self.config
        client = await self.connect()
        self._api = KubeApi(client, request_timeout=config.request_timeout_seconds)
        self._watcher = PodWatcher(self._api, config)
        try:
            await self._watcher.start(timeout=config.request_timeout_seconds)
        except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
            await self.close()
            raise BackendUnavailable(
                f"cannot list pods in namespace {config.namespace!r} ({exc}); check the "
                "namespace exists and the worker may list, watch, create and delete pods, "
                "pods/log, pods/attach and configmaps there"
            ) from exc
        await self._start_pool()

    @property
    def pool(self) -> WarmPodPool | None:
        """The warm pod pool of this term (None without one, or while not leading)."""
        return self._pool

    async def _start_pool(self) -> None:
        shapes = pool_shapes(self.config)
        unknown = set(self.config.warm_pods) - {
            name for shape in shapes for name in (shape.runtime.id, *shape.runtime.aliases)
        }
        if unknown:
            logger.warning("no warm pods for %s: not a runtime with an image", sorted(unknown))
        if not shapes or self._api is None or self._watcher is None:
            return
        # Owned by this term of this worker: a new term adopts what an old one left. A label
        # value: at most 63 characters, alphanumeric at both ends.
        prefix = (self.worker_id or socket.gethostname())[:54].strip("-_.")
        owner = f"{prefix}-{uuid.uuid4().hex[:8]}"
        pool = WarmPodPool(self._api, self.config, shapes, owner=owner, metrics=self._pool_metrics)
        self._watcher.pool_listener = pool.on_pod_event
        try:
            await pool.start()
        except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
            # Executions still run, cold; the pool retries when the next term starts.
            logger.warning("cannot start the warm pod pool: %s", exc)
            return
        self._pool = self._last_pool = pool

    async def suspend(self) -> None:
        """Stop watching but keep the connection: leadership went to another replica.

        Pods keep running, idle warm pods too (the next leader adopts them); `start()`
        again resumes watching.
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.stop()
        if self._watcher is not None:
            await self._watcher.stop()
            self._watcher = None
        self._api = None

    async def close(self) -> None:
        await self.suspend()
        pool, self._last_pool = self._last_pool, None
        if pool is not None:
            await pool.retire_all()
        if self._client is not None and self._given_client is None:
            await self._client.close()
        self._client = None

    def runtimes(self) -> list[Runtime]:
        return self.config.runtimes()

    async def launch(self, spec: SandboxSpec) -> KubernetesSandboxHandle:
        api, watcher = self._started()
        config = self.config
        image = config.image_for(spec.runtime)
        if image is None:
            raise SandboxLaunchError(f"no sandbox image is configured for {spec.runtime.id}")
        try:
            pod_body = build_pod(spec, config, image)
            configmap = build_configmap(spec, config) if uses_configmap(spec, config) else None
        except InvalidExecutionId as exc:
            raise SandboxLaunchError(str(exc)) from exc
        if self._pool is not None:
            warm = await self._hand_over(spec, image)
            if warm is not None:
                return warm

        name = object_name(spec.execution_id)
        handle = KubernetesSandboxHandle(
            execution_id=spec.execution_id,
            pod_name=name,
            terms=terms_for(spec, image),
            api=api,
            watcher=watcher,
            config=config,
            # Files and arguments go over attach once the container runs (`podspecs.py`).
            hand_over=hand_over(spec) if needs_hand_over(spec) else None,
            given=given_files(spec),
        )
        namespace_path = f"/api/v1/namespaces/{config.namespace}"
        try:
            with handle.spans.creating():
                if configmap is not None:
                    await self._create_or_refresh(f"{namespace_path}/configmaps", configmap)
                pod = await self._create_pod(f"{namespace_path}/pods", pod_body)
                if configmap is not None:
                    await api.patch(
                        f"{namespace_path}/configmaps/{name}", owner_reference_patch(pod)
                    )
        except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
            handle.discard()
            await self._remove(name)
            raise SandboxLaunchError(f"cannot create the sandbox pod: {exc}") from exc
        return handle

    async def _hand_over(self, spec: SandboxSpec, image: str) -> KubernetesSandboxHandle | None:
        """Run `spec` in a warm pod; None when none fits or the hand-over failed (then the
        claimed pod is deleted and the execution starts cold: nothing ran in it)."""
        api, watcher = self._started()
        assert self._pool is not None
        pod = await self._pool.claim(spec)
        if pod is None:
            return None
        name = str(pod["metadata"]["name"])
        stdin = StdinAttachment(api, self.config.namespace, name)
        handle = KubernetesSandboxHandle(
            execution_id=spec.execution_id,
            pod_name=name,
            terms=dataclasses.replace(terms_for(spec, image), warm=True),
            api=api,
            watcher=watcher,
            config=self.config,
            stdin=stdin,
            given=given_files(spec),
        )
        try:
            with handle.spans.handing_over():
                for chunk in chunks(hand_over(spec)):
                    await stdin.write(chunk)
                if not spec.interactive:
                    await stdin.close()
        except BrokenPipeError as exc:
            logger.warning("handing %s to warm pod %s failed: %s", spec.execution_id, name, exc)
            handle.discard()
            await self._remove(name)
            self._pool.lost(spec)
            return None
        self._pool.served(spec)
        return handle

    async def reattach(self, execution_id: str) -> KubernetesSandboxHandle | None:
        """Find the execution's pod after a worker restart; None when it is gone.

        The handle replays the pod's log from the start; a caller that already stored some
        output calls `handle.skip_delivered_output(stdout_bytes=…, stderr_bytes=…)` first.
        """
        api, watcher = self._started()
        try:
            labels(execution_id)
        except InvalidExecutionId:
            return None
        pod = watcher.latest(execution_id)
        if pod is None:
            found = await api.get(
                f"/api/v1/namespaces/{self.config.namespace}/pods",
                {"labelSelector": execution_selector(execution_id)},
            )
            items = found.get("items") or []
            if not items:
                return None
            pod = items[0]
        return KubernetesSandboxHandle(
            execution_id=execution_id,
            pod_name=str(pod["metadata"]["name"]),
            terms=terms_from_pod(pod),
            api=api,
            watcher=watcher,
            config=self.config,
            resumed=True,
        )

    def reaper(
        self, active_executions: ActiveExecutions, *, min_age_seconds: float = 60.0
    ) -> SandboxReaper:
        api, _ = self._started()

        def pool_owner() -> str | None:
            return self._pool.owner if self._pool is not None else None

        return SandboxReaper(
            api,
            self.config,
            active_executions,
            min_age_seconds=min_age_seconds,
            pool_owner=pool_owner,
        )

    def _started(self) -> tuple[KubeApi, PodWatcher]:
        if self._api is None or self._watcher is None:
            raise RuntimeError("the Kubernetes backend is not started")
        return self._api, self._watcher

    async def _create_or_refresh(self, path: str, body: JsonObject) -> None:
        """Create the ConfigMap; one left by an earlier, interrupted launch is replaced."""
        api, _ = self._started()
        try:
            await api.create(path, body)
        except KubeError as exc:
            if not exc.conflict:
                raise
            await api.delete(f"{path}/{body['metadata']['name']}")
            await api.create(path, body)

    async def _create_pod(self, path: str, body: JsonObject) -> JsonObject:
        """Create the pod; if this execution's pod exists already (a launch retried after a
        crash), observe that one rather than run the script twice."""
        api, _ = self._started()
        try:
            return await api.create(path, body)
        except KubeError as exc:
            if not exc.conflict:
                raise
            logger.info("pod %s exists already; observing it", body["metadata"]["name"])
            return await api.get(f"{path}/{body['metadata']['name']}")

    async def _remove(self, name: str) -> None:
        api, _ = self._started()
        base = f"/api/v1/namespaces/{self.config.namespace}"
        for path in (f"{base}/pods/{name}", f"{base}/configmaps/{name}"):
            try:
                await api.delete(path, {"propagationPolicy": "Background", "gracePeriodSeconds": 0})
            except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("cannot clean up %s after a failed launch: %s", path, exc)
