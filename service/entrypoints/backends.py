"""Choosing and configuring the sandbox backend from Settings."""

from __future__ import annotations

from service.domain.runtimes import Runtime
from service.services.sandbox_port import SandboxBackend
from service.settings import Settings


def build_backend(settings: Settings) -> SandboxBackend:
    if settings.backend == "kubernetes":
        from service.adapters.sandbox.kubernetes import (
            KubernetesBackendConfig,
            KubernetesSandboxBackend,
        )

        return KubernetesSandboxBackend(KubernetesBackendConfig())
    from service.adapters.sandbox.local import (
        LocalBackendConfig,
        LocalSandboxBackend,
    )

    return LocalSandboxBackend(
        LocalBackendConfig(
            cgroups=settings.local_cgroups,
            allow_unlimited=settings.local_allow_unlimited,
            sandbox_user=settings.local_sandbox_user,
        )
    )


async def discover_runtimes(settings: Settings) -> list[Runtime]:
    """Runtimes for an API-only process, which runs no sandbox itself."""
    if settings.backend == "kubernetes":
        from service.adapters.sandbox.kubernetes import (
            KubernetesBackendConfig,
            KubernetesSandboxBackend,
        )

        return KubernetesSandboxBackend(KubernetesBackendConfig()).runtimes()
    from service.adapters.sandbox.local import LocalBackendConfig
    from service.adapters.sandbox.local.runtimes import discover_runtimes as discover_local

    config = LocalBackendConfig()
    return await discover_local(config.interpreter_dir, config.extra_runtimes)
