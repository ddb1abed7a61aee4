"""Resource limits a user would run into, and the usage figures they are shown."""

from __future__ import annotations

import time

from service.adapters.sandbox.local import LocalSandboxBackend
from service.domain.limits import Limits
from tests.sandbox_local.conftest import run_script

FORK_COUNTER = """
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
except OSError as error:
    print(children, error.errno)
"""


async def test_process_limit_stops_forking(backend: LocalSandboxBackend) -> None:
    started = time.monotonic()
    run = await run_script(backend, FORK_COUNTER, limits=Limits(max_processes=16))
    children, errno_ = map(int, run.stdout.split())
    assert errno_ == 11  # EAGAIN from pids.max
    assert 10 <= children < 16
    assert run.outcome.exit_code == 0
    # The sleeping children did not outlive the script.
    assert time.monotonic() - started < 5


async def test_fork_bomb_is_contained(backend: LocalSandboxBackend) -> None:
    script = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    started = time.monotonic()
    run = await run_script(backend, script, limits=Limits(max_processes=32, timeout_seconds=1))
    assert run.outcome.timed_out
    assert time.monotonic() - started < 4
    # The host is still fine: a new sandbox runs at once.
    again = await run_script(backend, "print('still here')")
    assert again.stdout == "still here\n"


async def test_cpu_time_and_wall_time_are_measured(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "import time\nwhile time.process_time() < 0.3:\n    pass\n")
    usage = run.outcome.usage
    assert usage is not None
    assert usage.cpu_time_ms >= 200
    assert usage.cpu_time_ms < 5000
    assert usage.wall_time_ms >= 250
    assert usage.peak_memory_kib > 1024


async def test_peak_memory_counts_what_the_script_touched(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, "data = b'x' * (64 * 1024 * 1024)\nprint(len(data))", limits=Limits(memory_mib=256)
    )
    assert run.outcome.exit_code == 0, run.stderr
    usage = run.outcome.usage
    assert usage is not None
    assert 64 * 1024 <= usage.peak_memory_kib < 256 * 1024


async def test_cpu_quota_throttles_a_busy_loop(backend: LocalSandboxBackend) -> None:
    script = "import time\nstart = time.time()\nwhile time.time() - start < 1:\n    pass\n"
    run = await run_script(backend, script, limits=Limits(cpu_millicores=100))
    usage = run.outcome.usage
    assert usage is not None
    assert run.outcome.exit_code == 0
    assert usage.wall_time_ms >= 1000
    assert usage.cpu_time_ms < 300  # ~100 ms: a tenth of one CPU for one second


async def test_file_size_limit(backend: LocalSandboxBackend) -> None:
    script = """
try:
    with open("/work/big", "wb") as handle:
        handle.write(b"x" * (3 * 1024 * 1024))
except OSError as error:
    print("refused", error.errno)
"""
    run = await run_script(backend, script, limits=Limits(disk_mib=2))
    assert run.stdout == "refused 27\n"  # EFBIG from RLIMIT_FSIZE
    assert run.outcome.exit_code == 0


async def test_rlimits_inside_the_sandbox(backend: LocalSandboxBackend) -> None:
    script = """
import resource
for name in ("RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CORE", "RLIMIT_AS"):
    print(name, *resource.getrlimit(getattr(resource, name)))
"""
    run = await run_script(backend, script, limits=Limits(disk_mib=4))
    lines = run.stdout.splitlines()
    assert "RLIMIT_NOFILE 1024 1024" in lines
    assert f"RLIMIT_FSIZE {4 * 1024 * 1024} {4 * 1024 * 1024}" in lines
    assert "RLIMIT_CORE 0 0" in lines
    # No address-space limit: running out of memory must be the cgroup's OOM kill.
    assert "RLIMIT_AS -1 -1" in lines
