"""How a script ends is what the outcome says: exit codes, signals, OOM, timeout, output cap."""

from __future__ import annotations

import time

from service.adapters.sandbox.local import LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxFinished, SandboxOutput, SandboxStarted
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import classify
from tests.sandbox_local.conftest import make_spec, run_script


async def test_success_reports_exit_zero_and_output(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "import sys\nprint('hello')\nprint('oops', file=sys.stderr)")
    assert isinstance(run.observations[0], SandboxStarted)
    assert isinstance(run.observations[-1], SandboxFinished)
    assert sum(isinstance(o, SandboxFinished) for o in run.observations) == 1
    assert run.stdout == "hello\n"
    assert run.stderr == "oops\n"
    assert run.outcome.exit_code == 0
    assert run.outcome.signal is None
    assert run.outcome.error is None
    assert classify(run.outcome).status is ExecutionStatus.COMPLETED


async def test_nonzero_exit_code_is_kept(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "import sys\nsys.exit(3)")
    assert run.outcome.exit_code == 3
    assert classify(run.outcome).status is ExecutionStatus.FAILED


async def test_uncaught_exception_fails_with_traceback(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "raise ValueError('boom')")
    assert run.outcome.exit_code == 1
    assert "ValueError: boom" in run.stderr
    assert 'File "/work/main.py"' in run.stderr


async def test_signal_the_script_sends_itself_is_reported(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, "import os\nprint('before', flush=True)\nos.kill(os.getpid(), 9)"
    )
    assert run.stdout == "before\n"
    assert run.outcome.signal == 9
    assert not run.outcome.oom_killed
    verdict = classify(run.outcome)
    assert verdict.status is ExecutionStatus.FAILED
    assert verdict.exit_code == 137


async def test_memory_hog_is_oom_killed(backend: LocalSandboxBackend) -> None:
    script = "chunks = []\nwhile True:\n    chunks.append(b'x' * (1024 * 1024))\n"
    run = await run_script(backend, script, limits=Limits(memory_mib=48, timeout_seconds=10))
    assert run.outcome.oom_killed
    verdict = classify(run.outcome)
    assert (verdict.status, verdict.exit_code) == (ExecutionStatus.OOM_KILLED, 137)
    # The whole sandbox counts, and it was stopped at the limit.
    assert run.outcome.usage is not None
    assert 40 * 1024 <= run.outcome.usage.peak_memory_kib <= 49 * 1024


# A child that eats memory until the kernel kills it; the script prints how it ended.
_CHILD_HOG = (
    "import subprocess, sys\n"
    "hog = 'chunks = []\\nwhile True:\\n    chunks.append(bytearray(2**20))\\n'\n"
    "print(subprocess.run([sys.executable, '-c', hog]).returncode, flush=True)\n"
)


async def test_a_child_oom_kill_does_not_steal_the_timeout(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend,
        _CHILD_HOG + "import time\ntime.sleep(60)\n",
        limits=Limits(memory_mib=48, timeout_seconds=3),
    )
    assert run.stdout == "-9\n"
    assert run.outcome.oom_killed and run.outcome.timed_out
    verdict = classify(run.outcome)
    assert (verdict.status, verdict.exit_code) == (ExecutionStatus.TIMED_OUT, None)
    assert verdict.message == (
        "wall-clock time limit exceeded; "
        "a process of the script was killed for exceeding the memory limit"
    )
    # The usage keeps what the child took.
    assert run.outcome.usage is not None
    assert run.outcome.usage.peak_memory_kib >= 40 * 1024


async def test_a_script_that_survives_a_child_oom_kill_completes(
    backend: LocalSandboxBackend,
) -> None:
    run = await run_script(backend, _CHILD_HOG, limits=Limits(memory_mib=48))
    assert run.stdout == "-9\n"
    verdict = classify(run.outcome)
    assert (verdict.status, verdict.exit_code, verdict.message) == (
        ExecutionStatus.COMPLETED,
        0,
        "a process of the script was killed for exceeding the memory limit",
    )


async def test_timeout_kills_a_sleeping_script_quickly(backend: LocalSandboxBackend) -> None:
    started = time.monotonic()
    run = await run_script(
        backend,
        "import time\nprint('sleeping', flush=True)\ntime.sleep(60)",
        limits=Limits(timeout_seconds=0.5),
    )
    elapsed = time.monotonic() - started
    assert run.outcome.timed_out
    assert run.stdout == "sleeping\n"
    assert classify(run.outcome).status is ExecutionStatus.TIMED_OUT
    assert elapsed < 2.0
    assert run.outcome.usage is not None
    assert 450 <= run.outcome.usage.wall_time_ms < 2000


async def test_output_flood_keeps_exactly_the_cap(backend: LocalSandboxBackend) -> None:
    script = "import sys\nwhile True:\n    sys.stdout.write('x' * 10000)\n"
    cap = 100_000
    run = await run_script(backend, script, limits=Limits(max_output_bytes=cap, timeout_seconds=10))
    assert run.outcome.output_limit_exceeded
    assert not run.outcome.timed_out
    assert run.stdout == "x" * cap
    assert classify(run.outcome).status is ExecutionStatus.OUTPUT_LIMIT_EXCEEDED


async def test_cap_counts_both_streams(backend: LocalSandboxBackend) -> None:
    script = "import sys\nprint('a' * 60, flush=True)\nprint('b' * 60, file=sys.stderr)\n"
    run = await run_script(backend, script, limits=Limits(max_output_bytes=100))
    delivered = sum(len(o.data) for o in run.observations if isinstance(o, SandboxOutput))
    assert delivered == 100
    assert run.stdout == "a" * 60 + "\n"
    assert run.stderr == "b" * 39
    assert run.outcome.output_limit_exceeded


async def test_output_exactly_at_the_cap_is_not_exceeded(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "print('y' * 9)", limits=Limits(max_output_bytes=10))
    assert run.stdout == "y" * 9 + "\n"
    assert not run.outcome.output_limit_exceeded
    assert run.outcome.exit_code == 0


async def test_output_streams_as_it_is_written(backend: LocalSandboxBackend) -> None:
    script = "import time\nprint('first')\ntime.sleep(0.3)\nprint('second')\n"
    handle = await backend.launch(make_spec(backend, script))
    chunks: list[tuple[float, bytes]] = []
    async for observation in handle.observations():
        if isinstance(observation, SandboxOutput):
            chunks.append((time.monotonic(), observation.data))
    assert b"".join(data for _, data in chunks) == b"first\nsecond\n"
    first = next(t for t, data in chunks if b"first" in data)
    second = next(t for t, data in chunks if b"second" in data)
    # Unbuffered and not held back: the first line arrived while the script slept.
    assert second - first >= 0.25
