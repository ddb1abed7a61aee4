"""Real bubblewrap sandboxes driven through the local backend's public API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import (
    OutputStream,
    SandboxFinished,
    SandboxObservation,
    SandboxOutcome,
    SandboxOutput,
    SandboxSpec,
)
from service.services.ports.sandbox import SandboxHandle


@dataclass
class Run:
    """Everything a run produced, in order."""

    observations: list[SandboxObservation] = field(default_factory=list)

    @property
    def outcome(self) -> SandboxOutcome:
        last = self.observations[-1]
        assert isinstance(last, SandboxFinished)
        return last.outcome

    def output(self, stream: OutputStream) -> bytes:
        return b"".join(
            o.data for o in self.observations if isinstance(o, SandboxOutput) and o.stream is stream
        )

    @property
    def stdout(self) -> str:
        return self.output(OutputStream.STDOUT).decode()

    @property
    def stderr(self) -> str:
        return self.output(OutputStream.STDERR).decode()


@pytest_asyncio.fixture(scope="session")
async def backend() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig())
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


def make_spec(
    backend: LocalSandboxBackend,
    script: str,
    *,
    limits: Limits | None = None,
    stdin: bytes | None = None,
    interactive: bool = False,
    env: Mapping[str, str] | None = None,
) -> SandboxSpec:
    runtime = next(r for r in backend.runtimes() if r.default)
    return SandboxSpec(
        execution_id="test",
        runtime=runtime,
        script=script,
        limits=limits or Limits(),
        stdin=stdin,
        interactive=interactive,
        env=env or {},
    )


async def collect(handle: SandboxHandle) -> Run:
    run = Run()
    async for observation in handle.observations():
        run.observations.append(observation)
    return run


async def run_script(
    backend: LocalSandboxBackend,
    script: str,
    *,
    limits: Limits | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> Run:
    handle = await backend.launch(make_spec(backend, script, limits=limits, stdin=stdin, env=env))
    return await collect(handle)
