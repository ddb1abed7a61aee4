"""Process configuration from `PODRUN_*` environment variables (and a `.env` file).

One flat settings object; the wiring in `service.entrypoints.wiring` maps it onto each
component's own config, so no component below the entrypoints reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.domain.limits import DEFAULT_MAXIMUMS, LimitPolicy, Limits


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

    # Limit defaults and server maximums.
    default_timeout_seconds: float = 5.0
    default_memory_mib: int = 128
    default_cpu_millicores: int = 1000
    default_max_processes: int = 64
    default_max_output_bytes: int = 1024 * 1024
    default_disk_mib: int = 16
    max_timeout_seconds: float = DEFAULT_MAXIMUMS.timeout_seconds
    max_memory_mib: int = DEFAULT_MAXIMUMS.memory_mib
    max_cpu_millicores: int = DEFAULT_MAXIMUMS.cpu_millicores
    max_max_processes: int = DEFAULT_MAXIMUMS.max_processes
    max_max_output_bytes: int = DEFAULT_MAXIMUMS.max_output_bytes
    max_disk_mib: int = DEFAULT_MAXIMUMS.disk_mib

    # Worker liveness: how often a worker proves it is alive, and when it is presumed dead.
    worker_heartbeat_seconds: float = Field(2.0, gt=0)
    worker_dead_after_seconds: float = Field(10.0, gt=0)

    # Local backend.
    local_cgroups: Literal["auto", "v1", "v2", "none"] = Field(
        "auto", description="Cgroup hierarchy for local sandboxes."
    )
    local_allow_unlimited: bool = Field(
        False, description="Run local sandboxes without cgroup limits when none is writable."
    )
    local_sandbox_user: str = Field("nobody", description="Host user that runs bubblewrap.")

    @model_validator(mode="after")
    def _defaults_within_maximums(self) -> Settings:
        policy = self.limit_policy()
        checked = policy.resolve(None)
        for name in (
            "timeout_seconds",
            "memory_mib",
            "cpu_millicores",
            "max_processes",
            "max_output_bytes",
            "disk_mib",
        ):
            default = getattr(checked, name)
            if not getattr(policy.minimums, name) <= default <= getattr(policy.maximums, name):
                raise ValueError(f"default {name}={default} is outside the allowed range")
        return self

    def limit_policy(self) -> LimitPolicy:
        return LimitPolicy(
            defaults=Limits(
                timeout_seconds=self.default_timeout_seconds,
                memory_mib=self.default_memory_mib,
                cpu_millicores=self.default_cpu_millicores,
                max_processes=self.default_max_processes,
                max_output_bytes=self.default_max_output_bytes,
                disk_mib=self.default_disk_mib,
            ),
            maximums=Limits(
                timeout_seconds=self.max_timeout_seconds,
                memory_mib=self.max_memory_mib,
                cpu_millicores=self.max_cpu_millicores,
                max_processes=self.max_max_processes,
                max_output_bytes=self.max_max_output_bytes,
                disk_mib=self.max_disk_mib,
            ),
        )
