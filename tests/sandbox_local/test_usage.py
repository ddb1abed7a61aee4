"""Usage figures are the whole sandbox's, measured by the kernel: CPU time and peak memory of
every process the script started, wall time from start to end, and a CPU quota that holds."""

from __future__ import annotations

from service.adapters.sandbox.local import LocalSandboxBackend
from service.domain.limits import Limits
from tests.sandbox_local.conftest import run_script

CHILDREN_BURN = """
import subprocess, sys
burn = "import time\\nwhile time.process_time() < 0.4:\\n    pass\\n"
children = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(2)]
print([child.wait() for child in children])
"""

CHILD_ALLOCATES = """
import multiprocessing
def hold():
    data = b"x" * (96 * 1024 * 1024)
    print(len(data) // (1024 * 1024), flush=True)
if __name__ == "__main__":
    child = multiprocessing.Process(target=hold)
    child.start()
    child.join()
    print(child.exitcode)
"""

BUSY = "import time\nstart = time.time()\nwhile time.time() - start < {seconds}:\n    pass\n"

BUSY_EVERYWHERE = """
import multiprocessing, time
def spin():
    start = time.time()
    while time.time() - start < 1.5:
        pass
if __name__ == "__main__":
    workers = [multiprocessing.Process(target=spin) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
"""


async def test_cpu_time_counts_child_processes(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, CHILDREN_BURN, limits=Limits(timeout_seconds=30))
    assert run.stdout == "[0, 0]\n", run.stderr
    usage = run.outcome.usage
    assert usage is not None
    # Two children burnt at least 0.4 s each while the parent only waited.
    assert 800 <= usage.cpu_time_ms < 10_000, usage


async def test_peak_memory_counts_child_processes(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, CHILD_ALLOCATES, limits=Limits(memory_mib=256, timeout_seconds=30)
    )
    assert run.stdout == "96\n0\n", run.stderr
    usage = run.outcome.usage
    assert usage is not None
    assert 96 * 1024 <= usage.peak_memory_kib < 256 * 1024, usage


async def test_wall_time_spans_the_run_and_sleeping_costs_no_cpu(
    backend: LocalSandboxBackend,
) -> None:
    run = await run_script(backend, "import time\ntime.sleep(0.8)")
    usage = run.outcome.usage
    assert usage is not None and run.outcome.exit_code == 0
    assert 800 <= usage.wall_time_ms < 8_000, usage
    assert usage.cpu_time_ms < 600, usage  # interpreter start-up only


async def test_a_tenth_of_a_core_is_a_tenth_of_a_core(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, BUSY.format(seconds=2), limits=Limits(cpu_millicores=100, timeout_seconds=30)
    )
    usage = run.outcome.usage
    assert usage is not None and run.outcome.exit_code == 0
    share = usage.cpu_time_ms / usage.wall_time_ms
    # About 0.1 CPU-seconds per second; a wide band because the machine is shared.
    assert 0.03 <= share <= 0.25, usage


async def test_the_quota_holds_for_many_processes_together(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, BUSY_EVERYWHERE, limits=Limits(cpu_millicores=100, timeout_seconds=30)
    )
    usage = run.outcome.usage
    assert usage is not None and run.outcome.exit_code == 0, run.stderr
    share = usage.cpu_time_ms / usage.wall_time_ms
    assert 0.03 <= share <= 0.25, usage


async def test_usage_is_reported_for_a_killed_run_too(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, BUSY.format(seconds=60), limits=Limits(cpu_millicores=500, timeout_seconds=1)
    )
    usage = run.outcome.usage
    assert run.outcome.timed_out and usage is not None
    assert 1000 <= usage.wall_time_ms < 8_000, usage
    assert 0 < usage.cpu_time_ms <= usage.wall_time_ms * 0.75, usage
