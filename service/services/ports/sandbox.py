"""The one small protocol every sandbox backend implements.

A backend turns a `SandboxSpec` into a running, limited sandbox and reports what it observes
as `SandboxObservation`s, ending with exactly one `SandboxFinished`. It enforces the wall-clock
timeout and the output cap itself (it is the one that can kill), and never raises out of
`observations()`: a fault becomes `SandboxFinished(outcome.error=...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxObservation, SandboxSpec


class BackendUnavailable(Exception):
    """The backend cannot run sandboxes on this host; the message says why and what to do."""


class SandboxLaunchError(Exception):
    """One sandbox could not be started; the execution ends as ERROR with this message."""


class SandboxHandle(Protocol):
    """A launched sandbox."""

    @property
    def execution_id(self) -> str: ...

    def observations(self) -> AsyncIterator[SandboxObservation]:
        """Started, output chunks in order, then exactly one Finished. Iterate once."""
        ...

    async def cancel(self) -> None:
        """Kill the whole sandbox; the outcome reports `cancelled`. Idempotent."""
        ...

    async def write_stdin(self, data: bytes) -> None:
        """Write to the script's stdin (interactive sandboxes). Raises if stdin is closed."""
        ...

    async def close_stdin(self) -> None:
        """Send EOF to the script's stdin. Idempotent."""
        ...


@dataclass(frozen=True, slots=True)
class BackendCapabilities:
    """What the rest of a worker must know of how a backend's sandboxes live."""

    # Sandboxes keep running when their worker stops or dies (pods): a stopping worker
    # leaves them to the next one instead of waiting for them, and a new one reattaches.
    sandboxes_outlive_worker: bool
    # One worker at a time may watch and launch (an elected leader): the backend is started
    # by a leadership term, not when the process starts.
    needs_leader: bool


class SandboxBackend(Protocol):
    """Runs sandboxes: `local` (bubblewrap + cgroups) or `kubernetes` (a pod each)."""

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> BackendCapabilities: ...

    async def start(self) -> None:
        """Check prerequisites and acquire resources; raise BackendUnavailable if unusable."""
        ...

    async def close(self) -> None:
        """Kill what still runs and release resources."""
        ...

    def runtimes(self) -> list[Runtime]:
        """Runtimes this backend can actually run here."""
        ...

    async def launch(self, spec: SandboxSpec) -> SandboxHandle:
        """Start a sandbox; raise SandboxLaunchError when it cannot start."""
        ...

    async def reattach(self, execution_id: str) -> SandboxHandle | None:
        """Find a sandbox that outlived a worker restart; None when it is gone.

        Local sandboxes die with their worker, so the local backend returns None.
        """
        ...


class PoolMetrics(Protocol):
    """Where a backend's warm pool reports what it does (Prometheus in production, see the
    wiring). Both backends report the same names: `runtime` is the runtime's id, a miss's
    `reason` one of empty, shape, no_pool, handover."""

    def hit(self, runtime: str) -> None: ...
    def miss(self, runtime: str, reason: str) -> None: ...
    def refilled(self, runtime: str, seconds: float) -> None: ...
    def sized(self, runtime: str, ready: int, starting: int) -> None: ...


class NoPoolMetrics:
    def hit(self, runtime: str) -> None:
        pass

    def miss(self, runtime: str, reason: str) -> None:
        pass

    def refilled(self, runtime: str, seconds: float) -> None:
        pass

    def sized(self, runtime: str, ready: int, starting: int) -> None:
        pass
