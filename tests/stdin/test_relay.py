"""The worker's stdin relay against a real store and real sandboxes: input reaches the
script in seq order, each piece once, even when no notification ever arrives (the poll is
the safety net), and the relay stops at EOF or when the script stops reading."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest_asyncio

from service.adapters.bus.local import LocalEventBus
from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.adapters.store.connection import connect
from service.adapters.store.inputs import MongoInputLog
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxFinished, SandboxOutput, SandboxSpec
from service.services.clock import utcnow
from service.services.ports.sandbox import SandboxHandle
from service.services.worker.relaying import StdinRelay
from tests.support.servers import StoreProcess


@pytest_asyncio.fixture(scope="package")
async def inputs(store: StoreProcess) -> AsyncIterator[MongoInputLog]:
    client = await connect(store.uri, "stdin-relay")
    yield MongoInputLog()
    await client.close()


@pytest_asyncio.fixture(scope="package")
async def backend() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig())
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


def _spec(backend: LocalSandboxBackend, script: str) -> SandboxSpec:
    runtime = next(r for r in backend.runtimes() if r.default)
    return SandboxSpec(
        execution_id=uuid.uuid4().hex,
        runtime=runtime,
        script=script,
        limits=Limits(timeout_seconds=30),
        interactive=True,
    )


async def _stdout_of(handle: SandboxHandle) -> str:
    out = b""
    async for observation in handle.observations():
        if isinstance(observation, SandboxOutput):
            out += observation.data
        elif isinstance(observation, SandboxFinished):
            assert observation.outcome.exit_code == 0, observation.outcome
    return out.decode()


async def test_without_any_notification_the_poll_delivers_in_order(
    inputs: MongoInputLog, backend: LocalSandboxBackend
) -> None:
    silent_bus = LocalEventBus()  # nobody ever announces input on it
    relay = StdinRelay(inputs=inputs, signals=silent_bus, poll_seconds=0.2)
    spec = _spec(backend, "import sys\nprint(sys.stdin.read())")
    # More pieces than the relay reads in one batch, stored before and while it runs.
    for i in range(150):
        assert await inputs.append(spec.execution_id, f"{i},", eof=False, at=_now()) is not None
    handle = await backend.launch(spec)
    relaying = asyncio.create_task(relay.relay(spec.execution_id, handle))
    await asyncio.sleep(0.5)
    await inputs.append(spec.execution_id, "end", eof=True, at=_now())
    stdout = await asyncio.wait_for(_stdout_of(handle), 60)
    await asyncio.wait_for(relaying, 10)  # it stopped by itself after EOF
    assert stdout == "".join(f"{i}," for i in range(150)) + "end\n"


async def test_nothing_follows_eof_in_the_log(inputs: MongoInputLog) -> None:
    execution_id = uuid.uuid4().hex
    results = await asyncio.gather(
        *(inputs.append(execution_id, str(i), eof=(i == 5), at=_now()) for i in range(20))
    )
    stored = await inputs.after(execution_id, 0, 100)
    assert [c.seq for c in stored] == list(range(1, len(stored) + 1))  # no gaps
    assert stored[-1].eof and not any(c.eof for c in stored[:-1])
    # Every append either got a seq at or before the EOF, or was refused.
    accepted = [r for r in results if r is not None]
    assert sorted(c.seq for c in accepted) == [c.seq for c in stored]


async def test_the_relay_stops_when_the_script_stops_reading(
    inputs: MongoInputLog, backend: LocalSandboxBackend
) -> None:
    bus = LocalEventBus()
    relay = StdinRelay(inputs=inputs, signals=bus, poll_seconds=5)
    spec = _spec(
        backend, "import os, time\nos.close(0)\nprint('closed', flush=True)\ntime.sleep(2)"
    )
    handle = await backend.launch(spec)
    relaying = asyncio.create_task(relay.relay(spec.execution_id, handle))
    output = asyncio.create_task(_stdout_of(handle))
    await asyncio.sleep(1)
    await inputs.append(spec.execution_id, "x" * 100_000, eof=False, at=_now())
    bus.announce_input(spec.execution_id)  # the fast path: no waiting for the poll
    await asyncio.wait_for(relaying, 10)
    assert await asyncio.wait_for(output, 60) == "closed\n"


def _now() -> datetime:
    return utcnow()
