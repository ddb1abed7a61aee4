"""`KubernetesSandboxBackend`: a pod per execution, one ApiClient and one watch per process.

Pods outlive the worker on purpose: `close()` leaves them running so that the next leader can
`reattach()`; the reaper removes those that nobody needs.
"""

from __future__ import annotations

import logging

import aiohttp
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import ConfigException

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError, new_api_client
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.handle import KubernetesSandboxHandle
from service.adapters.sandbox.kubernetes.podspecs import (
    InvalidExecutionId,
    build_configmap,
    build_pod,
    execution_selector,
    labels,
    object_name,
    owner_reference_patch,
    terms_for,
    terms_from_pod,
    uses_configmap,
)
from service.adapters.sandbox.kubernetes.reaping import ActiveExecutions, SandboxReaper
from service.adapters.sandbox.kubernetes.watching import PodWatcher
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxSpec
from service.services.ports.sandbox import (
    BackendCapabilities,
    BackendUnavailable,
    SandboxLaunchError,
)

logger = logging.getLogger(__name__)


class KubernetesSandboxBackend:
    """Runs each sandbox as a locked-down pod in one namespace (see DESIGN.md)."""

    def __init__(
        self,
        config: KubernetesBackendConfig | None = None,
        *,
        api_client: ApiClient | None = None,
    ) -> None:
        self.config = config or KubernetesBackendConfig()
        self._given_client = api_client
        self._client: ApiClient | None = None
        self._api: KubeApi | None = None
        self._watcher: PodWatcher | None = None

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

    async def suspend(self) -> None:
        """Stop watching but keep the connection: leadership went to another replica.

        Pods keep running; `start()` again resumes watching.
        """
        if self._watcher is not None:
            await self._watcher.stop()
            self._watcher = None
        self._api = None

    async def close(self) -> None:
        await self.suspend()
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
        if spec.files or spec.argv:
            # The runner does not unpack files or take arguments yet (issue 16): refuse
            # rather than run the script without what it was given.
            raise SandboxLaunchError(
                "input files and arguments are not supported on Kubernetes yet"
            )
        try:
            pod_body = build_pod(spec, config, image)
            configmap = build_configmap(spec, config) if uses_configmap(spec, config) else None
        except InvalidExecutionId as exc:
            raise SandboxLaunchError(str(exc)) from exc

        name = object_name(spec.execution_id)
        handle = KubernetesSandboxHandle(
            execution_id=spec.execution_id,
            pod_name=name,
            terms=terms_for(spec, image),
            api=api,
            watcher=watcher,
            config=config,
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
        return SandboxReaper(api, self.config, active_executions, min_age_seconds=min_age_seconds)

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
