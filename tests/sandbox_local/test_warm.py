"""Warm sandboxes: started ahead of demand, indistinguishable to the script, limited as its
execution asks, discarded when they cannot serve, cleaned up at close."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream

from .conftest import Run, collect, make_spec, run_script


async def _until_ready(backend: LocalSandboxBackend, count: int) -> None:
    async with asyncio.timeout(10):
        while backend.warm_ready < count:
            await asyncio.sleep(0.02)


@pytest_asyncio.fixture(scope="module")
async def cold() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


@pytest_asyncio.fixture
async def warm() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=2))
    await sandboxes.start()
    await _until_ready(sandboxes, 2)
    yield sandboxes
    await sandboxes.close()


async def _warm_run(backend: LocalSandboxBackend, script: str, **kwargs: object) -> Run:
    await _until_ready(backend, 1)
    before = backend.warm_launches
    run = await run_script(backend, script, **kwargs)  # type: ignore[arg-type]
    assert backend.warm_launches == before + 1, "the run did not use a warm sandbox"
    return run


# What a script can observe of how it was started, and how its failures read.
PROBES = {
    "globals": "print(sorted(globals()))",
    "argv and path": "import sys; print(sys.argv, sys.path[0], __name__, __file__)",
    "loader": "print(type(__loader__).__name__, __cached__, __spec__, __package__)",
    "main module": "import sys; print(sys.modules['__main__'].__dict__ is globals())",
    "own source": "import inspect, sys; print(inspect.getsource(sys.modules[__name__]))",
    "traceback": "def f():\n    raise ValueError('boom')\n\ndef g():\n    f()\n\ng()\n",
    "syntax error": "print('a'\nx = 1\n",
    "exit code": "import sys; print('bye'); sys.exit(7)",
    "exit message": "raise SystemExit('stopped here')",
    "unicode": "print('héllo ✓'); import sys; print(sys.stdout.encoding)",
    "stdin is empty": "import sys; print(repr(sys.stdin.read()))",
    "spawned child": (
        "import multiprocessing as mp\n"
        "def square(x):\n    return x * x\n"
        "if __name__ == '__main__':\n"
        "    with mp.get_context('spawn').Pool(1) as pool:\n"
        "        print(pool.map(square, [1, 2, 3]))\n"
    ),
    "coding cookie": "# -*- coding: latin-1 -*-\nprint(len('\xe9'))\n",
}


@pytest.mark.parametrize("name", sorted(PROBES))
async def test_a_warm_sandbox_looks_like_a_cold_start(
    name: str, warm: LocalSandboxBackend, cold: LocalSandboxBackend
) -> None:
    script = PROBES[name]
    expected = await run_script(cold, script)
    got = await _warm_run(warm, script)
    assert (got.stdout, got.stderr) == (expected.stdout, expected.stderr)
    assert got.outcome.exit_code == expected.outcome.exit_code
    assert got.outcome.error is None


async def test_stdin_given_up_front_reaches_a_warm_sandbox(warm: LocalSandboxBackend) -> None:
    run = await _warm_run(warm, "import sys; print(sys.stdin.read().upper())", stdin=b"abc\n")
    assert run.stdout == "ABC\n\n"


async def test_interactive_input_reaches_a_warm_sandbox(warm: LocalSandboxBackend) -> None:
    await _until_ready(warm, 1)
    handle = await warm.launch(make_spec(warm, "print('got', input())", interactive=True))
    await handle.write_stdin(b"hello\n")
    await handle.close_stdin()
    run = await collect(handle)
    assert run.stdout == "got hello\n"


async def test_the_executions_memory_limit_applies(warm: LocalSandboxBackend) -> None:
    hog = "chunks = []\nwhile True:\n    chunks.append(bytearray(4 * 1024 * 1024))\n"
    run = await _warm_run(warm, hog, limits=Limits(memory_mib=64))
    assert run.outcome.oom_killed
    # A larger limit than the pool's own default is granted too.
    big = "data = bytearray(200 * 1024 * 1024); print(len(data) // 2**20)"
    run = await _warm_run(warm, big, limits=Limits(memory_mib=512))
    assert run.stdout == "200\n"
    assert run.outcome.usage is not None and run.outcome.usage.peak_memory_kib > 200 * 1024


async def test_the_executions_process_limit_applies(warm: LocalSandboxBackend) -> None:
    script = (
        "import os\n"
        "children = 0\n"
        "try:\n"
        "    for _ in range(10):\n"
        "        if os.fork() == 0:\n"
        "            import time; time.sleep(5); os._exit(0)\n"
        "        children += 1\n"
        "except OSError:\n"
        "    pass\n"
        "print(children)\n"
        "os._exit(0)\n"
    )
    run = await _warm_run(warm, script, limits=Limits(max_processes=3))
    assert run.stdout == "2\n"


async def test_time_and_cpu_count_from_the_hand_over(
    warm: LocalSandboxBackend, cold: LocalSandboxBackend
) -> None:
    # Waiting in the pool is not running: a sandbox idle for longer than the timeout still
    # gets its whole timeout.
    await asyncio.sleep(1.0)
    run = await _warm_run(
        warm, "import time; time.sleep(0.5); print('done')", limits=Limits(timeout_seconds=0.8)
    )
    assert run.stdout == "done\n"
    assert not run.outcome.timed_out
    assert run.outcome.usage is not None and run.outcome.usage.wall_time_ms < 1000
    # The interpreter's own start is not the script's CPU time.
    warm_cpu = (await _warm_run(warm, "pass")).outcome.usage
    cold_cpu = (await run_script(cold, "pass")).outcome.usage
    assert warm_cpu is not None and cold_cpu is not None
    assert warm_cpu.cpu_time_ms < cold_cpu.cpu_time_ms


async def test_the_executions_environment_reaches_a_warm_sandbox(
    warm: LocalSandboxBackend, cold: LocalSandboxBackend
) -> None:
    script = (
        "import os, subprocess\n"
        "print(sorted(os.environ.items()))\n"
        "print(subprocess.run(['/usr/bin/env'], capture_output=True, text=True).stdout)\n"
    )
    env = {
        "GREETING": "hi there",
        "TRACEPARENT": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "EMPTY": "",
        "WITH_EQUALS": "a=b",
    }
    expected = await run_script(cold, script, env=env)
    got = await _warm_run(warm, script, env=env)
    # The same variables, for the script and for what it starts (in another order: those
    # of the execution come last).
    # (The display channel's number differs: it is whichever fd the worker had free.)
    assert _without_display_fd(got.stdout) == _without_display_fd(expected.stdout)
    assert "('GREETING', 'hi there')" in got.stdout


def _without_display_fd(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.startswith("SANDBOX_DISPLAY_FD=")]
    return sorted(re.sub(r"\('SANDBOX_DISPLAY_FD', '\d+'\), ", "", line) for line in lines)


async def test_another_shape_starts_cold(warm: LocalSandboxBackend) -> None:
    before = warm.warm_launches
    # Read by the interpreter as it starts: only a cold start honours it.
    run = await run_script(
        warm, "import sys; print(sys.flags.optimize)", env={"PYTHONOPTIMIZE": "2"}
    )
    assert run.stdout == "2\n"
    run = await run_script(warm, "print('big disk')", limits=Limits(disk_mib=64))
    assert run.stdout == "big disk\n"
    # A small memory limit shrinks the tmpfs (half the memory at most): another shape too.
    run = await run_script(warm, "print('small')", limits=Limits(memory_mib=16))
    assert run.stdout == "small\n"
    assert warm.warm_launches == before


async def test_each_warm_sandbox_is_used_once(warm: LocalSandboxBackend) -> None:
    first = await _warm_run(
        warm, "open('/work/secret', 'w').write('s3cret'); import os; print(os.getpid())"
    )
    second = await _warm_run(warm, "import os; print(os.path.exists('/work/secret'))")
    assert first.outcome.exit_code == 0
    assert second.stdout == "False\n"
    # The pool refills itself.
    await _until_ready(warm, 2)


async def test_a_warm_sandbox_that_died_waiting_is_not_used(warm: LocalSandboxBackend) -> None:
    pool = warm._pool  # the test kills what the pool holds
    assert pool is not None
    for sandbox in list(pool._ready):
        os.kill(sandbox.process.popen.pid, signal.SIGKILL)
    await asyncio.sleep(0.2)
    run = await run_script(warm, "print('still fine')")
    assert run.stdout == "still fine\n"
    assert run.outcome.exit_code == 0
    await _until_ready(warm, 2)


async def test_close_stops_waiting_sandboxes_and_removes_their_cgroups() -> None:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=3))
    await sandboxes.start()
    await _until_ready(sandboxes, 3)
    pool = sandboxes._pool
    assert pool is not None
    waiting = list(pool._ready)
    pids = [s.process.popen.pid for s in waiting]
    cgroup_dirs = [d for s in waiting if s.cgroup is not None for d in s.cgroup._own_dirs()]
    await sandboxes.close()
    for sandbox in waiting:
        assert sandbox.process.popen.poll() is not None
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or _is_zombie_of_someone_else(pid)
    for path in cgroup_dirs:
        assert not path.exists()


def _is_zombie_of_someone_else(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return True


async def test_output_of_a_warm_sandbox_streams_live(warm: LocalSandboxBackend) -> None:
    await _until_ready(warm, 1)
    handle = await warm.launch(
        make_spec(
            warm, "import sys, time\nprint('first', flush=True)\ntime.sleep(0.5)\nprint('second')"
        )
    )
    seen: list[bytes] = []
    async for observation in handle.observations():
        data = getattr(observation, "data", None)
        if data is not None and getattr(observation, "stream", None) is OutputStream.STDOUT:
            seen.append(data)
    # The first line came on its own (in one write or more), before the second was written.
    assert any(b"".join(seen[:i]) == b"first\n" for i in range(1, len(seen)))
    assert b"".join(seen) == b"first\nsecond\n"
