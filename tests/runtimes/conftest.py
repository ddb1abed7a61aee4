"""Local sandboxes with several Python versions (pyenv builds staged readable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from tests.support.pythons import STAGED, staged_pythons

MINORS = ("3.9", "3.10", "3.12", "3.13")


@pytest.fixture(scope="session")
def pythons() -> dict[str, Path]:
    staged = staged_pythons(MINORS)
    if len(staged) < 3:
        pytest.skip(
            f"needs pyenv builds of at least three of {', '.join(MINORS)} under "
            f"/root/.pyenv/versions (found {', '.join(staged) or 'none'})"
        )
    return staged


@pytest_asyncio.fixture(scope="session")
async def backend(pythons: dict[str, Path]) -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(pythons=(STAGED,), warm_sandboxes=0))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()
