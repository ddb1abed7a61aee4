"""The data-science environment for tests: built once per machine into a cached directory
(about 80 s on 2 cores the first time), then reused by every session."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.adapters.sandbox.local.environments import EnvironmentBuilder, definitions
from service.domain.runtimes import RuntimeState
from service.entrypoints.environments import build_one

CACHE = Path("/var/tmp/podrun-test-environments")


async def build_datascience(backend: LocalSandboxBackend | None = None) -> Path:
    """The datascience tree for the default interpreter (built and checked if needed)."""
    own = backend is None
    sandboxes = backend or LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    if own:
        await sandboxes.start()
    try:
        base = next(r for r in sandboxes.runtimes() if r.default)
        definition = definitions()["datascience"]
        builder = EnvironmentBuilder(_cache())
        runtime = await build_one(sandboxes, builder, base, definition)
        assert runtime.status.state is RuntimeState.READY, runtime.status.message
        return builder.tree(base, definition)
    finally:
        if own:
            await sandboxes.close()


def build_datascience_now() -> Path:
    """The same from synchronous code (its own loop in a thread of its own: the test
    session may have a loop running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, build_datascience()).result()


def _cache() -> Path:
    # Looked up at call time, so the data-science bench can point it elsewhere.
    return CACHE
