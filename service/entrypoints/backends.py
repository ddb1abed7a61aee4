"""Choosing and configuring the sandbox backend from Settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.domain.runtimes import Runtime
from service.services.ports.sandbox import PoolMetrics, SandboxBackend
from service.settings import Settings

if TYPE_CHECKING:
    from service.adapters.sandbox.kubernetes import KubernetesBackendConfig

# Warm pods of the default runtime when PODRUN_K8S_WARM_PODS is unset.
DEFAULT_WARM_PODS = 2


def kubernetes_config(settings: Settings) -> KubernetesBackendConfig:
    """The Kubernetes backend's config from the `PODRUN_K8S_*` settings."""
    from service.adapters.sandbox.kubernetes import KubernetesBackendConfig

    images = dict(settings.k8s_images)
    default_runtime = settings.k8s_default_runtime
    if default_runtime not in images and images:
        default_runtime = next(iter(images))
    warm_pods = settings.k8s_warm_pods
    if warm_pods is None:
        warm_pods = {default_runtime: DEFAULT_WARM_PODS}
    policy = settings.limit_policy()
    return KubernetesBackendConfig(
        warm_pods=dict(warm_pods),
        warm_limits=policy.defaults,
        warm_pod_max_idle_seconds=settings.k8s_warm_pod_max_idle_seconds,
        warm_pod_max_timeout_seconds=policy.maximums.timeout_seconds,
        namespace=settings.k8s_namespace,
        images=images,
        default_runtime=default_runtime,
        runtime_class_name=settings.k8s_runtime_class_name,
        node_selector=dict(settings.k8s_node_selector),
        tolerations=tuple(settings.k8s_tolerations),
        image_pull_secrets=tuple(settings.k8s_image_pull_secrets),
        image_pull_policy=settings.k8s_image_pull_policy,
        user_namespaces=settings.k8s_user_namespaces,
        priority_class_name=settings.k8s_priority_class_name,
        unschedulable_deadline_seconds=settings.k8s_unschedulable_deadline_seconds,
        image_pull_deadline_seconds=settings.k8s_image_pull_deadline_seconds,
        active_deadline_grace_seconds=settings.k8s_active_deadline_grace_seconds,
        inline_script_max_bytes=settings.k8s_inline_script_max_bytes,
        request_timeout_seconds=settings.k8s_request_timeout_seconds,
        kubeconfig=str(settings.k8s_kubeconfig) if settings.k8s_kubeconfig else None,
        in_cluster=settings.k8s_in_cluster,
        api_url=settings.k8s_api_url,
        context=settings.k8s_context,
    )


def build_backend(settings: Settings, *, pool_metrics: PoolMetrics | None = None) -> SandboxBackend:
    if settings.backend == "kubernetes":
        from service.adapters.sandbox.kubernetes import KubernetesSandboxBackend

        return KubernetesSandboxBackend(kubernetes_config(settings), pool_metrics=pool_metrics)
    from service.adapters.sandbox.local import (
        LocalBackendConfig,
        LocalSandboxBackend,
    )

    return LocalSandboxBackend(
        LocalBackendConfig(
            cgroups=settings.local_cgroups,
            allow_unlimited=settings.local_allow_unlimited,
            sandbox_user=settings.local_sandbox_user,
            sandbox_first_uid=settings.local_sandbox_first_uid,
            sandbox_uid_count=settings.local_sandbox_uid_count,
            cgroup_parent=settings.local_cgroup_parent,
            warm_sandboxes=settings.local_warm_sandboxes,
            pythons=tuple(settings.local_pythons),
        ),
        pool_metrics=pool_metrics,
    )


async def discover_runtimes(settings: Settings) -> list[Runtime]:
    """Runtimes for an API-only process, which runs no sandbox itself."""
    if settings.backend == "kubernetes":
        return kubernetes_config(settings).runtimes()
    from service.adapters.sandbox.local import LocalBackendConfig
    from service.adapters.sandbox.local.pythons import prefix_runtimes
    from service.adapters.sandbox.local.runtimes import discover_runtimes as discover_local

    config = LocalBackendConfig()
    found = await discover_local(config.interpreter_dir, config.extra_runtimes)
    # Not probed here (this process runs no sandbox); the worker offers only those that run.
    return found + await prefix_runtimes(settings.local_pythons, (r.id for r in found))
