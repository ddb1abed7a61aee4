"""Runtimes: an interpreter plus an environment, and the catalog of those a server offers.

The model is language-neutral: a runtime is an id, a language and version, the command
that starts its interpreter, and what the sandbox must see for it (read-only `mounts`,
fixed `env`). A Python runtime with the data-science environment is the same record as a
bare one, with more packages and one more mount; a JavaScript runtime would be one more
definition. An environment that is still being built, or whose build failed, is listed
with that `status` but not offered (`RuntimeCatalog.find` skips it).
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field, replace

from service.domain.limits import LimitPolicy


class RuntimeState(enum.StrEnum):
    READY = "READY"
    BUILDING = "BUILDING"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class RuntimeStatus:
    """Whether a runtime can run scripts now; `message` says why not (or how far along)."""

    state: RuntimeState = RuntimeState.READY
    message: str | None = None

    @property
    def ready(self) -> bool:
        return self.state is RuntimeState.READY


READY = RuntimeStatus()


@dataclass(frozen=True, slots=True)
class Package:
    """One package installed in a runtime's environment."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Mount:
    """A host directory the sandbox sees read-only at `target` (an interpreter prefix, an
    environment's package tree). `source` is the backend's business: a host path for the
    local backend; images carry everything on Kubernetes."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Runtime:
    """A language runtime offered to clients.

    `command` is how a backend starts the interpreter: a path the sandbox sees for the
    local backend, the interpreter inside `image` for the Kubernetes backend. `interpreter`
    is the id of the bare runtime an environment runtime is built on (None for a bare one);
    `environment` names the package set (`sandbox/environments/<name>.txt`).
    """

    id: str
    language: str
    version: str
    command: tuple[str, ...]
    default: bool = False
    image: str | None = None
    aliases: tuple[str, ...] = ()
    description: str | None = None
    packages: tuple[Package, ...] = ()
    status: RuntimeStatus = field(default=READY)
    interpreter: str | None = None
    environment: str | None = None
    mounts: tuple[Mount, ...] = ()
    # Defaults this runtime needs above the server's (e.g. `memory_mib` for an environment
    # whose imports alone take more than the server's default), as (limit field, value);
    # never above the server's maximums, and a client's own value still wins.
    default_limits: tuple[tuple[str, float], ...] = ()
    # Fixed variables of the runtime's sandboxes (e.g. PYTHONPATH of its environment, the
    # loader path of a relocated interpreter), set before the interpreter starts.
    env: tuple[tuple[str, str], ...] = ()


class RuntimeCatalog:
    """The runtimes a server offers, looked up by id or alias.

    Listing shows every runtime with its status; `find` only returns ready ones. Builds
    that finish in the background `put` the runtime's new state (thread-safe: a build may
    report from a worker thread).
    """

    def __init__(self, runtimes: list[Runtime]) -> None:
        if not runtimes:
            raise ValueError("a server must offer at least one runtime")
        defaults = [r for r in runtimes if r.default]
        if len(defaults) != 1:
            raise ValueError(f"exactly one runtime must be the default, got {len(defaults)}")
        self._lock = threading.Lock()
        self._runtimes: dict[str, Runtime] = {}
        self._by_name: dict[str, str] = {}
        for runtime in runtimes:
            self._add(runtime)

    def _add(self, runtime: Runtime) -> None:
        self._runtimes[runtime.id] = runtime
        for name in (runtime.id, *runtime.aliases):
            self._by_name.setdefault(name, runtime.id)

    @property
    def all(self) -> list[Runtime]:
        with self._lock:
            return list(self._runtimes.values())

    @property
    def default(self) -> Runtime:
        with self._lock:
            return next(r for r in self._runtimes.values() if r.default)

    def find(self, name: str | None) -> Runtime | None:
        """The ready runtime called `name`, the default for None, None when unknown or
        not ready."""
        if name is None:
            return self.default
        runtime = self.lookup(name)
        return runtime if runtime is not None and runtime.status.ready else None

    def lookup(self, name: str) -> Runtime | None:
        """The runtime called `name` whatever its status."""
        with self._lock:
            runtime_id = self._by_name.get(name.strip())
            return None if runtime_id is None else self._runtimes[runtime_id]

    def put(self, runtime: Runtime) -> None:
        """Add `runtime` or replace the one with its id (never the default's role)."""
        with self._lock:
            old = self._runtimes.get(runtime.id)
            if old is not None:
                runtime = replace(runtime, default=old.default)
            elif runtime.default:
                runtime = replace(runtime, default=False)
            self._add(runtime)


def runtime_policy(policy: LimitPolicy, runtime: Runtime) -> LimitPolicy:
    """`policy` with `runtime`'s own defaults where they are higher (capped at the maximums)."""
    if not runtime.default_limits:
        return policy
    raised = {
        name: type(getattr(policy.defaults, name))(
            min(max(value, getattr(policy.defaults, name)), getattr(policy.maximums, name))
        )
        for name, value in runtime.default_limits
        if hasattr(policy.defaults, name)
    }
    return replace(policy, defaults=replace(policy.defaults, **raised))
