"""Process configuration from `PODRUN_*` environment variables (and a `.env` file).

One flat settings object; the wiring in `service.entrypoints.wiring` maps it onto each
component's own config, so no component below the entrypoints reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.domain.limits import DEFAULT_MAXIMUMS, LimitPolicy, Limits

_DEFAULTS = Limits()
# The settings naming each limit `name`: its default and its server maximum.
DEFAULT_PREFIX, MAXIMUM_PREFIX = "default_", "max_"


class Settings(BaseSettings):
    """Every knob of a Podrun process. Field `foo_bar` is `PODRUN_FOO_BAR` in the environment."""

    model_config = SettingsConfigDict(env_prefix="PODRUN_", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(8000, description="Port the HTTP server binds.")
    data_dir: Path = Field(Path(".podrun"), description="Where embedded mode keeps its data.")
    mongodb_uri: str | None = Field(
        None, description="A real MongoDB (replica set) instead of the embedded store."
    )
    database: str = Field("podrun", description="Database name.")
    store_timeout_seconds: float = Field(
        2.0,
        gt=0,
        le=60,
        description="How long a request waits for an unreachable store before it answers "
        "STORE_UNAVAILABLE (pymongo's server selection timeout).",
    )
    store_outage_tolerance_seconds: float = Field(
        60.0,
        ge=0,
        description="How long running executions and open subscriptions wait out a store "
        "outage (their writes and reads retried with backoff) before they give up.",
    )
    store_restart_delay_seconds: float = Field(
        0.25,
        gt=0,
        description="Wait before restarting an embedded store that died; doubled for each "
        "restart in a row.",
    )
    store_restart_max_delay_seconds: float = Field(
        30.0,
        gt=0,
        description="Longest wait between two restarts of an embedded store that keeps dying.",
    )
    backend: Literal["local", "kubernetes"] = Field("local", description="Sandbox backend.")
    max_concurrency: int = Field(
        default_factory=lambda: max(4, 4 * (os.cpu_count() or 1)),
        ge=1,
        description="Sandboxes one worker runs at once (the global cap with one leader).",
    )
    graphiql: bool = Field(True, description="Serve GraphiQL at /graphql.")
    log_format: Literal["json", "console"] = Field("console", description="Log line format.")
    log_level: str = Field("INFO", description="Root log level.")
    trace_scripts: bool = Field(
        False, description="Put scripts and stdin in trace attributes (off: redacted)."
    )

    # Input size bounds.
    max_script_bytes: int = Field(256 * 1024, ge=1, description="Largest script accepted.")
    max_stdin_bytes: int = Field(1024 * 1024, ge=0, description="Largest up-front stdin.")
    max_batch_inputs: int = Field(
        100, ge=1, le=1000, description="Inputs one executeScripts or runTestCases may hold."
    )
    workspace_quota_bytes: int = Field(
        256 * 1024 * 1024,
        ge=0,
        description="What one user's workspaces may hold together (their files' bytes).",
    )

    # Limit defaults and server maximums: `default_<limit>` and `max_<limit>` for each field
    # of `Limits`, whose defaults they take (a test checks that they match its fields).
    default_timeout_seconds: float = _DEFAULTS.timeout_seconds
    default_memory_mib: int = _DEFAULTS.memory_mib
    default_cpu_millicores: int = _DEFAULTS.cpu_millicores
    default_max_processes: int = _DEFAULTS.max_processes
    default_max_output_bytes: int = _DEFAULTS.max_output_bytes
    default_disk_mib: int = _DEFAULTS.disk_mib
    max_timeout_seconds: float = DEFAULT_MAXIMUMS.timeout_seconds
    max_memory_mib: int = DEFAULT_MAXIMUMS.memory_mib
    max_cpu_millicores: int = DEFAULT_MAXIMUMS.cpu_millicores
    max_max_processes: int = DEFAULT_MAXIMUMS.max_processes
    max_max_output_bytes: int = DEFAULT_MAXIMUMS.max_output_bytes
    max_disk_mib: int = DEFAULT_MAXIMUMS.disk_mib

    # Worker liveness: how often a worker proves it is alive, and when it is presumed dead.
    worker_heartbeat_seconds: float = Field(2.0, gt=0)
    worker_dead_after_seconds: float = Field(10.0, gt=0)
    worker_write_behind_seconds: float = Field(
        0.1,
        ge=0,
        le=1,
        description="How late a worker may store events it already streamed (batches writes).",
    )
    worker_output_events_per_second: float = Field(
        20.0,
        gt=0,
        description="Output events one run may emit per second once its burst is spent; "
        "past it the two streams are coalesced apart (flood mode).",
    )
    worker_output_event_burst: int = Field(
        20, ge=1, description="Output events one run may emit at once before its rate applies."
    )

    # Shutdown and the worker's health endpoint.
    shutdown_grace_seconds: float = Field(
        10.0,
        ge=0,
        description="On SIGTERM, how long running local sandboxes may take to finish before "
        "they are ended as ERROR (keep it below the pod's terminationGracePeriodSeconds).",
    )
    worker_health_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="`podrun worker` answers /livez and /readyz on this port (on PODRUN_HOST); "
        "unset: no endpoint.",
    )

    # Local backend.
    local_cgroups: Literal["auto", "v1", "v2", "none"] = Field(
        "auto", description="Cgroup hierarchy for local sandboxes."
    )
    local_allow_unlimited: bool = Field(
        False, description="Run local sandboxes without cgroup limits when none is writable."
    )
    local_sandbox_user: str = Field(
        "nobody",
        description="Host user whose gid sandboxes run with (their uids are their own, below).",
    )
    # The local backend's defaults (service/adapters/sandbox/local/uids.py; a test checks).
    local_sandbox_first_uid: int = Field(
        0x70000000,
        gt=65535,
        description="First host uid of the range sandboxes run as, one uid each, when the "
        "worker is root; no account may have a uid in the range.",
    )
    local_sandbox_uid_count: int = Field(
        65536,
        ge=1,
        description="How many uids the range holds: at least max_concurrency + "
        "local_warm_sandboxes + 5 (more means a uid is reused less often).",
    )
    local_warm_sandboxes: int = Field(
        2,
        ge=0,
        le=64,
        description="Sandboxes of the default shape kept started, waiting for a script (0: off).",
    )
    local_pythons: list[Path] = Field(
        default_factory=list,
        description="Interpreter prefixes beyond /usr, or directories of them, JSON: "
        '["/opt/pythons"] (each prefix has bin/python3.X; offered as python3.X once it runs '
        "in a sandbox, which must be able to read it).",
    )
    local_environments: list[str] = Field(
        default_factory=list,
        description='Environments to build and offer, JSON: ["datascience"] (on the default '
        'interpreter) or ["python3.12-datascience"]; defined in sandbox/environments/. '
        "`podrun serve` builds them in the background; `podrun runtimes build` at once.",
    )
    local_environments_dir: Path | None = Field(
        None,
        description="Where environment trees are built (sandboxes must be able to read it; "
        "not under /tmp). Unset: data_dir/environments.",
    )
    local_cgroup_parent: str = Field(
        "podrun",
        description="Where sandbox cgroups go, relative to the hierarchy's root (e.g. a "
        "delegated 'system.slice/podrun.service/sandboxes' for a non-root service).",
    )

    # --- Kubernetes backend (PODRUN_K8S_*; mapped in service.entrypoints.backends) ---------
    # Connection, in order: k8s_api_url, k8s_in_cluster, k8s_kubeconfig, default kubeconfig.
    k8s_api_url: str | None = Field(None, description="API server URL (e.g. kubectl proxy).")
    k8s_in_cluster: bool = Field(False, description="Use the pod's own service account.")
    k8s_kubeconfig: Path | None = Field(None, description="Kubeconfig file (else ~/.kube).")
    k8s_context: str | None = Field(None, description="Kubeconfig context to use.")
    k8s_namespace: str = Field("podrun-sandboxes", description="Namespace of sandbox pods.")
    k8s_images: dict[str, str] = Field(
        default_factory=lambda: {
            f"python{v}": f"ghcr.io/podrun/runner:{v}" for v in ("3.11", "3.12", "3.13")
        },
        description='Runtime id → runner image, JSON: {"python3.12": "reg/runner:3.12"}.',
    )
    k8s_default_runtime: str = Field("python3.11", description="Runtime used when none is given.")
    k8s_image_pull_policy: Literal["Always", "IfNotPresent", "Never"] = "IfNotPresent"
    k8s_image_pull_secrets: list[str] = Field(
        default_factory=list, description="Secret names for private registries (JSON list)."
    )
    k8s_runtime_class_name: str | None = Field(None, description="e.g. gvisor.")
    k8s_node_selector: dict[str, str] = Field(default_factory=dict, description="JSON object.")
    k8s_tolerations: list[dict[str, Any]] = Field(
        default_factory=list, description="Pod tolerations, JSON list of Kubernetes objects."
    )
    k8s_priority_class_name: str | None = None
    k8s_user_namespaces: bool = Field(True, description="hostUsers: false (K8s >= 1.30).")
    k8s_unschedulable_deadline_seconds: float = Field(60.0, gt=0)
    k8s_image_pull_deadline_seconds: float = Field(60.0, gt=0)
    k8s_active_deadline_grace_seconds: int = Field(30, ge=0)
    k8s_inline_script_max_bytes: int = Field(0, ge=0, description="Smaller scripts go in env.")
    k8s_request_timeout_seconds: float = Field(30.0, gt=0)
    k8s_lease_name: str = Field("podrun-worker", description="Lease the worker replicas share.")
    k8s_lease_namespace: str | None = Field(None, description="Default: k8s_namespace.")
    k8s_lease_duration_seconds: float = Field(15.0, gt=0)
    k8s_lease_renew_seconds: float = Field(5.0, gt=0, description="< lease duration.")
    k8s_reap_interval_seconds: float = Field(60.0, gt=0)
    k8s_reap_min_age_seconds: float = Field(60.0, ge=0)
    k8s_warm_pods: dict[str, int] | None = Field(
        None,
        description='Warm pods kept waiting per runtime, JSON: {"python3.12": 4} ({}: no '
        "pool). Unset: 2 of the default runtime.",
    )
    k8s_warm_pod_max_idle_seconds: float = Field(
        900.0, gt=0, description="A warm pod waiting longer is replaced."
    )
    # --- end of Kubernetes backend ---------------------------------------------------------

    # --- Accounts, auth and quotas (PODRUN_AUTH_*, PODRUN_QUOTA_*) ---------------------------
    auth_anonymous: bool = Field(
        True, description="Let callers without a token run scripts (the Helm chart: false)."
    )
    auth_anonymous_can_list: bool = Field(
        False,
        description="Anonymous callers may list anonymous executions (single-user dev only); "
        "otherwise those are reachable only by their id.",
    )
    auth_registration: bool = Field(True, description="Anyone may register an account.")
    auth_registrations_per_address: int = Field(
        20, ge=1, description="Accounts registered from one client address per window."
    )
    auth_registrations_total: int = Field(
        500, ge=1, description="Accounts registered from all addresses together per window."
    )
    auth_registration_window_seconds: float = Field(
        3600.0, gt=0, description="The window of the registration limits."
    )
    auth_jwt_secret: str | None = Field(
        None,
        description="HS256 secret (>= 32 bytes). Unset: generated once under data_dir/auth.",
    )
    auth_jwt_private_key_file: Path | None = Field(None, description="RS256 private key (PEM).")
    auth_jwt_public_key_file: Path | None = Field(None, description="RS256 public key (PEM).")
    auth_jwt_issuer: str = Field("podrun", description="`iss` of access tokens, checked.")
    auth_jwt_audience: str = Field("podrun-api", description="`aud` of access tokens, checked.")
    auth_access_token_seconds: int = Field(900, ge=2, description="Access token lifetime.")
    auth_refresh_token_seconds: int = Field(
        14 * 24 * 3600, ge=60, description="Refresh token lifetime."
    )
    auth_socket_recheck_seconds: float = Field(
        60.0,
        gt=0,
        description="How often an open WebSocket checks its token again (revoked API tokens, "
        "disabled users); an access token is also checked the moment it expires.",
    )
    quota_anonymous_concurrent: int = Field(64, ge=0, description="All anonymous callers.")
    quota_anonymous_per_minute: int = Field(300, ge=0, description="Per client address.")
    quota_user_concurrent: int = Field(16, ge=0)
    quota_user_per_minute: int = Field(120, ge=0)
    quota_admin_concurrent: int = Field(256, ge=0)
    quota_admin_per_minute: int = Field(6000, ge=0)
    role_max_limits: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "anonymous": {
                "memory_mib": 512.0,
                "cpu_millicores": 1000.0,
                "max_processes": 128.0,
                "max_output_bytes": 4.0 * 1024 * 1024,
                "disk_mib": 64.0,
            }
        },
        description='Largest limits per role (anonymous, user, admin), JSON: {"user": '
        '{"memory_mib": 512}}; never above the server maximums.',
    )

    # --- GraphQL hardening -------------------------------------------------------------------
    graphql_introspection: bool = Field(True, description="Answer introspection queries.")
    graphql_max_query_bytes: int = Field(
        320 * 1024, ge=1024, description="Longest GraphQL document accepted."
    )
    graphql_max_subscriptions_per_connection: int = Field(16, ge=1)
    graphql_mask_errors: bool = Field(True, description="Hide unexpected errors' details.")
    http_max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="Largest request.")
    cors_origins: list[str] = Field(
        default_factory=list, description='Origins allowed by CORS, JSON list: ["https://…"].'
    )
    # --- end of accounts and hardening -------------------------------------------------------

    # --- Webhooks (PODRUN_WEBHOOK_*; mapped in service.entrypoints.webhooks) -----------------
    webhook_allow_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts (names or addresses) webhooks may reach although they resolve to "
        'loopback, private or link-local addresses, JSON list: ["127.0.0.1"].',
    )
    webhook_poll_seconds: float = Field(
        0.5, gt=0, description="How often a process looks for deliveries to record and send."
    )
    webhook_attempt_timeout_seconds: float = Field(
        10.0, gt=0, le=300, description="One attempt, connecting to the last byte read."
    )
    webhook_retry_first_delay_seconds: float = Field(
        5.0, gt=0, description="Wait after the first failed attempt; doubled after each."
    )
    webhook_retry_max_delay_seconds: float = Field(
        3600.0, gt=0, description="Longest wait between two attempts (before jitter)."
    )
    webhook_retry_jitter: float = Field(
        0.2, ge=0, le=1, description="Each wait is stretched by up to this fraction, at random."
    )
    webhook_retry_for_seconds: float = Field(
        24 * 3600.0, gt=0, description="No attempt is made this long after a delivery began."
    )
    webhook_max_per_user: int = Field(20, ge=0, description="Webhooks one user may have.")
    webhook_secret_grace_seconds: float = Field(
        24 * 3600.0, ge=0, description="After a rotation, the old secret signs too this long."
    )
    webhook_max_response_bytes: int = Field(
        64 * 1024, ge=0, description="Bytes of a receiver's answer read at most."
    )
    webhook_keep_deliveries_for_seconds: float = Field(
        30 * 24 * 3600.0,
        gt=0,
        description="Delivered or given-up deliveries are removed this long after they settled.",
    )
    webhook_prune_every_seconds: float = Field(
        3600.0, gt=0, description="How often a process removes deliveries past their retention."
    )
    # --- end of webhooks ---------------------------------------------------------------------

    @model_validator(mode="after")
    def _enough_sandbox_uids(self) -> Settings:
        # Every sandbox alive at once has its own uid: running ones, warm ones (the default
        # runtime's and one for each of up to 4 runtimes in demand, local/demand.py), the
        # self test.
        demand = 4 if self.local_warm_sandboxes > 0 else 0
        needed = self.max_concurrency + self.local_warm_sandboxes + demand + 1
        if self.backend == "local" and self.local_sandbox_uid_count < needed:
            raise ValueError(
                f"local_sandbox_uid_count={self.local_sandbox_uid_count} is below the "
                f"{needed} sandboxes that can live at once (max_concurrency + "
                "local_warm_sandboxes + 4 warm ones of runtimes in demand + 1)"
            )
        return self

    @model_validator(mode="after")
    def _defaults_within_maximums(self) -> Settings:
        policy = self.limit_policy()
        checked = policy.resolve(None)
        for f in fields(Limits):
            default = getattr(checked, f.name)
            if not getattr(policy.minimums, f.name) <= default <= getattr(policy.maximums, f.name):
                raise ValueError(f"default {f.name}={default} is outside the allowed range")
        return self

    def limit_policy(self) -> LimitPolicy:
        return LimitPolicy(
            defaults=self._limits(DEFAULT_PREFIX), maximums=self._limits(MAXIMUM_PREFIX)
        )

    def _limits(self, prefix: str) -> Limits:
        return Limits(**{f.name: getattr(self, prefix + f.name) for f in fields(Limits)})
