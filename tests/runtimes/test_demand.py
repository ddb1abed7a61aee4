"""Warm sandboxes follow demand: a runtime other than the default gets its own after its
first cold start, and its next execution starts warm, on the right interpreter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxSpec
from tests.sandbox_local.conftest import collect
from tests.support.pythons import STAGED


@pytest_asyncio.fixture
async def warm(pythons: dict[str, Path]) -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(pythons=(STAGED,), warm_sandboxes=1))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


async def test_a_runtime_in_demand_gets_warm_sandboxes(
    warm: LocalSandboxBackend, pythons: dict[str, Path]
) -> None:
    minor = next(m for m in pythons if m != "3.11")
    runtime = next(r for r in warm.runtimes() if r.id == f"python{minor}")
    script = "import sys; print(sys.version.split()[0])"

    async def run() -> str:
        spec = SandboxSpec(execution_id="e", runtime=runtime, script=script, limits=Limits())
        result = await collect(await warm.launch(spec))
        assert result.outcome.exit_code == 0, result.stderr
        return result.stdout.strip()

    before = warm.warm_launches
    assert warm.warm_ready_for(runtime.id) == 0
    assert await run() == pythons[minor].name
    assert warm.warm_launches == before  # cold: nothing of it was warm
    for _ in range(300):
        if warm.warm_ready_for(runtime.id):
            break
        await asyncio.sleep(0.05)
    assert warm.warm_ready_for(runtime.id) == 1
    assert await run() == pythons[minor].name
    assert warm.warm_launches == before + 1
