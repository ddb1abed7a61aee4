"""Every way a Python program can end, warm and cold: the same verdict, exit code and output
(as `python3 main.py` gives them), whichever pool served the script."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.verdicts import classify
from tests.support.endings import ENDINGS

from .conftest import Run, run_script


def _same(text: str, known_difference: str) -> str:
    """Output without what legitimately differs between two runs (addresses, a known
    difference of a warm start)."""
    text = re.sub(r"0x[0-9a-f]+", "0x…", text)
    return re.sub(known_difference, "", text) if known_difference else text


@pytest_asyncio.fixture(scope="module")
async def cold() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


@pytest_asyncio.fixture(scope="module")
async def warm() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=2))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


async def _warm_run(backend: LocalSandboxBackend, script: str) -> Run:
    async with asyncio.timeout(10):
        while backend.warm_ready < 1:
            await asyncio.sleep(0.02)
    before = backend.warm_launches
    run = await run_script(backend, script)
    assert backend.warm_launches == before + 1, "the run did not use a warm sandbox"
    return run


@pytest.mark.parametrize("name", list(ENDINGS))
async def test_an_ending_gives_the_same_verdict_warm_and_cold(
    name: str, warm: LocalSandboxBackend, cold: LocalSandboxBackend
) -> None:
    ending = ENDINGS[name]
    runs = {
        "cold": await run_script(cold, ending.script),
        "warm": await _warm_run(warm, ending.script),
    }
    difference = ending.known_difference
    for how, run in runs.items():
        verdict = classify(run.outcome)
        stderr = re.sub(difference, "", run.stderr) if difference else run.stderr
        tail = stderr.rstrip("\n").rpartition("\n")[2]
        assert (verdict.status, verdict.exit_code, run.stdout, tail) == (
            ending.status,
            ending.exit_code,
            ending.stdout,
            ending.stderr_tail,
        ), f"{how}: {run.stderr}"
    assert _same(runs["warm"].stderr, difference) == _same(runs["cold"].stderr, difference)
