"""Settings of the Kubernetes backend: where pods run, which images, how patiently we watch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from service.domain.limits import Limits
from service.domain.runtimes import Runtime

DEFAULT_IMAGES: Mapping[str, str] = MappingProxyType(
    {
        "python3.11": "ghcr.io/podrun/runner:3.11",
        "python3.12": "ghcr.io/podrun/runner:3.12",
        "python3.13": "ghcr.io/podrun/runner:3.13",
    }
)
DEFAULT_RUNTIME = "python3.11"
DEFAULT_ALIASES: tuple[str, ...] = ("python", "python3")

# Inside the runner image (see sandbox/Dockerfile).
RUNNER_PATH = "/opt/podrun/runner.py"
INTERPRETER: tuple[str, ...] = ("python3",)
SANDBOX_UID = 10001


@dataclass(frozen=True, slots=True)
class KubernetesBackendConfig:
    """Everything the backend needs to know about the cluster; no secrets in here.

    Connection, in order: `api_url` (e.g. `kubectl proxy` or a test server), `kubeconfig`
    (a path), `in_cluster` (the worker's own service account), else the default kubeconfig.
    """

    namespace: str = "podrun-sandboxes"
    images: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_IMAGES))
    default_runtime: str = DEFAULT_RUNTIME
    default_aliases: tuple[str, ...] = DEFAULT_ALIASES

    runtime_class_name: str | None = None  # e.g. "gvisor"
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Mapping[str, Any], ...] = ()
    image_pull_secrets: tuple[str, ...] = ()
    image_pull_policy: str = "IfNotPresent"
    # hostUsers: false — the pod gets its own user namespace (Kubernetes >= 1.30 with support).
    user_namespaces: bool = True
    priority_class_name: str | None = None

    # How long a pod may wait for a node or an image before the execution ends as ERROR.
    unschedulable_deadline_seconds: float = 60.0
    image_pull_deadline_seconds: float = 60.0
    # activeDeadlineSeconds = ceil(timeout) + this: the cluster's backstop if we are gone.
    active_deadline_grace_seconds: int = 30
    # Our own wall-clock backstop after the runner's exact one: timeout + this.
    timeout_grace_seconds: float = 2.0
    # How long to wait for the log stream to be drained once the container has terminated.
    log_drain_timeout_seconds: float = 10.0
    termination_grace_seconds: int = 2

    kubeconfig: str | None = None
    in_cluster: bool = False
    api_url: str | None = None
    context: str | None = None

    # Bounds on every read: a watch is re-opened after watch_timeout_seconds (server side)
    # or when nothing arrives for read_timeout_seconds (client side); same for logs.
    request_timeout_seconds: float = 30.0
    watch_timeout_seconds: int = 300
    read_timeout_seconds: float = 330.0
    log_read_timeout_seconds: float = 60.0
    reconnect_backoff_seconds: tuple[float, ...] = (0.1, 0.5, 1.0, 2.0, 5.0)

    # Scripts up to this size travel in an env var instead of a ConfigMap.
    inline_script_max_bytes: int = 0

    # The warm pod pool (`pool.py`): runtime id -> pods kept waiting (empty: no pool), all of
    # the `warm_limits` shape (the server's default limits).
    warm_pods: Mapping[str, int] = field(default_factory=dict)
    warm_limits: Limits = field(default_factory=Limits)
    # A warm pod waiting longer than this is replaced (a fresh node, a fresh image pull).
    warm_pod_max_idle_seconds: float = 900.0
    # The longest timeout an execution may have (the server maximum): a warm pod's
    # activeDeadlineSeconds must leave room for it after the idle time.
    warm_pod_max_timeout_seconds: float = 60.0
    # How often the pool lists its pods besides following the watch.
    warm_pod_reconcile_seconds: float = 10.0

    def runtimes(self) -> list[Runtime]:
        """The runtimes offered: one per configured image."""
        result = []
        for runtime_id, image in self.images.items():
            # `python3.12` or `python3.12-datascience` (an image built with ENVIRONMENT).
            version, _, environment = runtime_id.removeprefix("python").partition("-")
            is_default = runtime_id == self.default_runtime
            result.append(
                Runtime(
                    id=runtime_id,
                    language="python",
                    version=version,
                    command=INTERPRETER,
                    default=is_default,
                    image=image,
                    aliases=self.default_aliases if is_default else (),
                    description=f"Python {version}"
                    + (f" with the {environment} environment" if environment else "")
                    + f" ({image})",
                    interpreter=f"python{version}" if environment else None,
                    environment=environment or None,
                )
            )
        return result

    def image_for(self, runtime: Runtime) -> str | None:
        return self.images.get(runtime.id) or runtime.image
