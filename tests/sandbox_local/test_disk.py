"""One disk budget for `/work`, `/tmp` and `/dev/shm`, with an inode bound: a full disk is
ENOSPC, the same warm and cold, and never an OOM kill."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from tests.support.scripts import FILL_ALL

from .conftest import Run, run_script

# The warm pool's shape (Limits()), with less memory: the budget is still the 16 MiB disk.
LIMITS = Limits(memory_mib=48, timeout_seconds=20)


EMPTY_FILES = """
import errno, os
created = 0
for directory in ("/tmp", "/dev/shm", "/work"):
    try:
        while True:
            open(os.path.join(directory, f"e{created}"), "xb").close()
            created += 1
    except OSError as error:
        print(directory, errno.errorcode[error.errno])
print("created", 4090 <= created <= 4096)
"""

EXPECTED = {
    "fill": "/tmp ENOSPC\n/dev/shm ENOSPC\n/work ENOSPC\nwritten 16 MiB\n",
    "inodes": "/tmp ENOSPC\n/dev/shm ENOSPC\n/work ENOSPC\ncreated True\n",
}
SCRIPTS = {"fill": FILL_ALL, "inodes": EMPTY_FILES}


@pytest_asyncio.fixture(scope="module")
async def cold() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


@pytest_asyncio.fixture(scope="module")
async def warm() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=1))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


async def _warm_run(backend: LocalSandboxBackend, script: str) -> Run:
    async with asyncio.timeout(20):
        while backend.warm_ready < 1:
            await asyncio.sleep(0.02)
    before = backend.warm_launches
    run = await run_script(backend, script, limits=LIMITS)
    assert backend.warm_launches == before + 1, "the run did not use a warm sandbox"
    return run


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_a_full_disk_is_enospc_cold(name: str, cold: LocalSandboxBackend) -> None:
    run = await run_script(cold, SCRIPTS[name], limits=LIMITS)
    assert (run.outcome.exit_code, run.outcome.oom_killed, run.stdout) == (0, False, EXPECTED[name])


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_a_full_disk_is_enospc_warm(name: str, warm: LocalSandboxBackend) -> None:
    run = await _warm_run(warm, SCRIPTS[name])
    assert (run.outcome.exit_code, run.outcome.oom_killed, run.stdout) == (0, False, EXPECTED[name])


async def test_the_three_directories_are_one_file_system(cold: LocalSandboxBackend) -> None:
    script = """
import os
print(len({os.stat(path).st_dev for path in ("/work", "/tmp", "/dev/shm")}),
      os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize // (1024 * 1024),
      os.statvfs("/tmp").f_files)
"""
    run = await run_script(cold, script, limits=Limits(memory_mib=20, disk_mib=64))
    # The budget is at most half the memory limit, with one inode per page.
    assert run.stdout == f"1 10 {10 * 256}\n", run.stderr
