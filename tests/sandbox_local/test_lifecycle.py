"""Stdin, cancel, and what is left behind when a sandbox ends (nothing)."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from service.adapters.sandbox.local import LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxFinished, SandboxOutput
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import classify
from tests.sandbox_local.conftest import Run, collect, make_spec, run_script

DAEMON = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
    os._exit(0)
time.sleep(0.2)
print("daemon started", flush=True)
{rest}
"""


def host_pids_with(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/cmdline").read_bytes() != b""  # a zombie has no cmdline


async def test_cancel_kills_script_and_its_setsid_daemon(backend: LocalSandboxBackend) -> None:
    marker = f"podrun-daemon-{uuid.uuid4()}"
    handle = await backend.launch(
        make_spec(
            backend,
            DAEMON.format(marker=marker, rest="time.sleep(300)"),
            limits=Limits(timeout_seconds=30),
        )
    )
    run = Run()
    daemon_pids: list[int] = []
    async for observation in handle.observations():
        run.observations.append(observation)
        if isinstance(observation, SandboxOutput) and b"daemon started" in observation.data:
            daemon_pids = host_pids_with(marker)
            assert daemon_pids, "the daemon should be running on the host"
            await handle.cancel()
    assert run.outcome.cancelled
    assert classify(run.outcome).status is ExecutionStatus.CANCELLED
    assert not [pid for pid in daemon_pids if alive(pid)]
    assert host_pids_with(marker) == []
    await handle.cancel()  # idempotent


async def test_daemons_die_when_the_script_exits(backend: LocalSandboxBackend) -> None:
    marker = f"podrun-daemon-{uuid.uuid4()}"
    run = await run_script(backend, DAEMON.format(marker=marker, rest="print('bye')"))
    assert run.outcome.exit_code == 0
    assert run.stdout == "daemon started\nbye\n"
    assert host_pids_with(marker) == []


async def test_cgroup_is_removed_after_the_run(backend: LocalSandboxBackend) -> None:
    execution_id = f"cg-{uuid.uuid4().hex}"
    handle = await backend.launch(
        replace(make_spec(backend, "print(1)"), execution_id=execution_id)
    )
    await collect(handle)
    leftovers = [p for p in Path("/sys/fs/cgroup").glob(f"*/podrun/run-{execution_id}-*")]
    assert leftovers == []


async def test_stdin_is_piped_and_closed(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend, "import sys\nprint(sum(int(line) for line in sys.stdin))", stdin=b"3\n4\n5\n"
    )
    assert run.stdout == "12\n"


async def test_unread_stdin_does_not_block(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "print('done')", stdin=b"x" * (4 * 1024 * 1024))
    assert run.stdout == "done\n"
    assert run.outcome.exit_code == 0


async def test_without_stdin_input_sees_eof(backend: LocalSandboxBackend) -> None:
    run = await run_script(backend, "try:\n    input()\nexcept EOFError:\n    print('eof')")
    assert run.stdout == "eof\n"


async def test_interactive_stdin(backend: LocalSandboxBackend) -> None:
    script = (
        "name = input('name? ')\nprint('hello', name)\nimport sys\nprint(len(sys.stdin.read()))"
    )
    handle = await backend.launch(
        make_spec(backend, script, interactive=True, limits=Limits(timeout_seconds=10))
    )
    stdout = b""
    outcome = None
    async for observation in handle.observations():
        if isinstance(observation, SandboxOutput):
            stdout += observation.data
            if stdout == b"name? ":  # the prompt shows before any input
                await handle.write_stdin(b"Ada\n")
                await handle.write_stdin(b"more")
                await handle.close_stdin()
                with pytest.raises(BrokenPipeError):
                    await handle.write_stdin(b"late")
        elif isinstance(observation, SandboxFinished):
            outcome = observation.outcome
    assert stdout == b"name? hello Ada\n4\n"
    assert outcome is not None and outcome.exit_code == 0


async def test_write_to_non_interactive_stdin_raises(backend: LocalSandboxBackend) -> None:
    handle = await backend.launch(make_spec(backend, "import time\ntime.sleep(5)"))
    with pytest.raises(BrokenPipeError):
        await handle.write_stdin(b"nobody listens")
    await handle.cancel()
    run = await collect(handle)
    assert run.outcome.cancelled


async def test_concurrent_sandboxes(backend: LocalSandboxBackend) -> None:
    runs = await asyncio.gather(
        *(run_script(backend, f"import time\ntime.sleep(0.2)\nprint({i})") for i in range(8))
    )
    assert [r.stdout for r in runs] == [f"{i}\n" for i in range(8)]
