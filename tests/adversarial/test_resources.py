"""Attacks on the host's CPU, memory and process table, and on the kill path."""

from __future__ import annotations

import uuid

import pytest

from tests.adversarial.conftest import attack, execution_cgroups, host_pids_with
from tests.support.client import Api


async def test_memory_hog_is_oom_killed(api: Api) -> None:
    execution = await attack(
        api, "data = b'x' * (512 * 1024 * 1024)\nprint('survived')", memoryMib=48, timeoutSeconds=20
    )
    assert execution["status"] == "OOM_KILLED"
    assert execution["stdout"] == ""
    assert execution["usage"]["peakMemoryKib"] <= 49 * 1024


async def test_slow_leak_is_oom_killed(api: Api) -> None:
    script = """
import time
kept = []
while True:
    kept.append(b"x" * (1024 * 1024))
    time.sleep(0.002)
"""
    execution = await attack(api, script, memoryMib=48, timeoutSeconds=20)
    assert execution["status"] == "OOM_KILLED"


async def test_fork_bomb_hits_the_process_limit_and_dies_whole(api: Api) -> None:
    script = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
    execution = await attack(api, script, maxProcesses=16, timeoutSeconds=1.5)
    assert execution["status"] == "TIMED_OUT"


async def test_thread_bomb_hits_the_process_limit(api: Api) -> None:
    script = """
import threading, time
started = 0
failures = 0
while True:
    try:
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        started += 1
    except RuntimeError:
        failures += 1
        if failures == 1:
            print("refused after", started, flush=True)
"""
    execution = await attack(api, script, maxProcesses=16, timeoutSeconds=1.5)
    assert execution["status"] == "TIMED_OUT"
    refused_after = int(execution["stdout"].split()[-1])
    assert 0 < refused_after <= 16


async def test_busy_loop_on_every_core_is_held_to_its_quota(api: Api) -> None:
    script = """
import multiprocessing, os
def spin():
    while True:
        pass
for _ in range((os.cpu_count() or 1) * 2):
    multiprocessing.Process(target=spin, daemon=True).start()
spin()
"""
    execution = await attack(api, script, cpuMillicores=200, timeoutSeconds=2)
    assert execution["status"] == "TIMED_OUT"
    usage = execution["usage"]
    # 0.2 of a core, whatever the number of processes; wide band for a loaded machine.
    assert usage["cpuTimeMs"] / usage["wallTimeMs"] < 0.45, usage


async def test_sleeping_past_the_timeout_is_timed_out(api: Api) -> None:
    execution = await attack(
        api, "import time\nprint('zz', flush=True)\ntime.sleep(60)", timeoutSeconds=1
    )
    assert execution["status"] == "TIMED_OUT"
    assert execution["stdout"] == "zz\n"  # output before the end is kept
    assert 1000 <= execution["usage"]["wallTimeMs"] < 10_000


async def test_ignoring_sigterm_does_not_outlive_the_timeout(api: Api) -> None:
    script = """
import signal, time
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(sig, signal.SIG_IGN)
while True:
    time.sleep(0.01)
"""
    execution = await attack(api, script, timeoutSeconds=1)
    assert execution["status"] == "TIMED_OUT"


async def test_ignoring_sigterm_does_not_survive_cancel(api: Api) -> None:
    script = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""
    submitted = await api.submit(script, limits={"timeoutSeconds": 30})
    await api.wait_status(submitted["id"], {"RUNNING"})
    cancelled = await api.cancel(submitted["id"])
    assert cancelled["status"] == "CANCELLED"
    # The verdict is written after the whole tree is gone and its cgroup removed.
    assert execution_cgroups(submitted["id"]) == []


async def test_double_forked_setsid_daemon_dies_with_the_run(api: Api) -> None:
    marker = f"podrun-adversarial-daemon-{uuid.uuid4().hex}"
    script = f"""
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)",
                                  "{marker}"])
    os._exit(0)
time.sleep(0.3)
print("daemon started")
"""
    execution = await attack(api, script, timeoutSeconds=10)
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "daemon started\n")
    # Killed with the cgroup before the verdict was written, not eventually.
    assert host_pids_with(marker) == []


async def test_kernel_memory_in_pipe_buffers_is_charged_to_the_sandbox(api: Api) -> None:
    # Pipe buffers are kernel memory; unaccounted they would let 64 processes pin gigabytes.
    script = """
import os
for _ in range(8):
    if os.fork() == 0:
        break
pipes = []
for _ in range(500):
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    pipes.append((read_end, write_end))
    try:
        while True:
            os.write(write_end, b"x" * 65536)
    except BlockingIOError:
        pass
print("kept", len(pipes) * 64 // 1024, "MiB")
"""
    execution = await attack(api, script, memoryMib=64, timeoutSeconds=20)
    assert execution["status"] == "OOM_KILLED", execution


@pytest.mark.parametrize(
    "script",
    ["import sys\nsys.exit(137)", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"],
    ids=["exit-137", "self-sigkill"],
)
async def test_faking_an_oom_kill_is_a_plain_failure(api: Api, script: str) -> None:
    # Only the kernel's OOM counter makes OOM_KILLED; exit codes lie.
    execution = await attack(api, script, memoryMib=64)
    assert (execution["status"], execution["exitCode"]) == ("FAILED", 137)
