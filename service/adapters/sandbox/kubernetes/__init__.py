"""The `kubernetes` sandbox backend: one locked-down pod per execution.

Public: `KubernetesSandboxBackend`, `KubernetesBackendConfig`; the backend's `reaper()` builds
a `SandboxReaper`; its `pool` is the warm pod pool (`WarmPodPool`) while it leads.
Everything else is internal to this package.
"""

from service.adapters.sandbox.kubernetes.backend import KubernetesSandboxBackend
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.handle import KubernetesSandboxHandle
from service.adapters.sandbox.kubernetes.pool import PoolStats, WarmPodPool
from service.adapters.sandbox.kubernetes.reaping import ActiveExecutions, ReapResult, SandboxReaper
from service.services.ports.sandbox import PoolMetrics

__all__ = [
    "ActiveExecutions",
    "KubernetesBackendConfig",
    "KubernetesSandboxBackend",
    "KubernetesSandboxHandle",
    "PoolMetrics",
    "PoolStats",
    "ReapResult",
    "SandboxReaper",
    "WarmPodPool",
]
