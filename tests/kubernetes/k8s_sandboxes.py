"""Helpers for the backend tests: specs, collecting observations, reading outcomes."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

from service.adapters.sandbox.kubernetes import KubernetesSandboxBackend
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


def make_spec(
    backend: KubernetesSandboxBackend,
    script: str,
    *,
    execution_id: str | None = None,
    **kwargs: object,
) -> SandboxSpec:
    limits = kwargs.pop("limits", Limits())
    runtime = next(r for r in backend.runtimes() if r.default)
    return SandboxSpec(
        execution_id=execution_id or uuid.uuid4().hex[:16],
        runtime=runtime,
        script=script,
        limits=limits,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


async def collect(handle: SandboxHandle, timeout: float = 20) -> list[SandboxObservation]:
    async def run() -> list[SandboxObservation]:
        return [observation async for observation in handle.observations()]

    return await asyncio.wait_for(run(), timeout)


def with_limits(**changes: object) -> Limits:
    return replace(Limits(), **changes)  # type: ignore[arg-type]


def outcome_of(observations: list[SandboxObservation]) -> SandboxOutcome:
    finished = [o for o in observations if isinstance(o, SandboxFinished)]
    assert len(finished) == 1, observations
    assert observations[-1] is finished[0], "Finished comes last"
    return finished[0].outcome


def output_of(observations: list[SandboxObservation], stream: OutputStream | None = None) -> bytes:
    return b"".join(
        o.data
        for o in observations
        if isinstance(o, SandboxOutput) and (stream is None or o.stream == stream)
    )
