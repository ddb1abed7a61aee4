"""Attacks on what the host knows: its secrets, its processes, other executions' files."""

from __future__ import annotations

import asyncio

import pytest

from tests.adversarial.conftest import HostSecrets, attack
from tests.support.client import Api

PROBE = """
import os
path = {path!r}
try:
    if os.path.isdir(path):
        found = "\\n".join(os.listdir(path))
    else:
        with open(path, "rb") as handle:
            found = handle.read().decode(errors="replace")
    print("READ", {marker!r} in found)
except OSError as error:
    print("DENIED", type(error).__name__)
"""


@pytest.mark.parametrize(
    "target",
    [
        "/etc/shadow",
        "/proc/1/environ",
        "/proc/1/root/etc/shadow",
        "/proc/1/cwd",
        "/root",
        "/sys/fs/cgroup",
        "secret_file",
        "data_dir",
        "store_dir",
    ],
)
async def test_host_secrets_are_out_of_reach(
    api: Api, host_secrets: HostSecrets, target: str
) -> None:
    path = str(getattr(host_secrets, target, target))
    execution = await attack(api, PROBE.format(path=path, marker=host_secrets.marker))
    assert execution["status"] == "COMPLETED", execution
    # Either the path is not there at all, or it is the sandbox's own (its /proc), without
    # a trace of the host's secret.
    assert execution["stdout"] in ("DENIED FileNotFoundError\n", "READ False\n")
    assert host_secrets.marker not in execution["stdout"] + execution["stderr"]


async def test_the_services_environment_does_not_leak(api: Api, host_secrets: HostSecrets) -> None:
    script = f"""
import os
print(sorted(os.environ))
leaks = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for name in ("environ", "cmdline"):
            try:
                with open(f"/proc/{{pid}}/{{name}}", "rb") as handle:
                    if {host_secrets.marker!r}.encode() in handle.read():
                        leaks.append((pid, name))
            except OSError:
                pass
print("leaks", leaks)
"""
    execution = await attack(api, script)
    assert execution["status"] == "COMPLETED"
    env_names, leaks = execution["stdout"].splitlines()
    assert host_secrets.env_name not in env_names
    assert not any(name in env_names for name in ("'PODRUN_", "'MONGO", "'OTEL_"))
    assert leaks == "leaks []"


async def test_host_processes_are_invisible(api: Api) -> None:
    script = """
import os
for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        print(pid, handle.read().split(b"\\0")[0].decode())
"""
    execution = await attack(api, script)
    assert execution["status"] == "COMPLETED"
    processes = dict(line.split(" ", 1) for line in execution["stdout"].splitlines())
    # bwrap's init (pid 1), the in-sandbox file shell and the script; nothing of the host.
    assert set(processes) <= {"1", "2", "3"}, processes
    assert processes["1"].endswith("bwrap"), processes
    assert all(
        cmd.startswith("/usr/bin/python3") or cmd == "/bin/sh"
        for pid, cmd in processes.items()
        if pid != "1"
    ), processes


async def test_another_executions_files_are_invisible(api: Api, host_secrets: HostSecrets) -> None:
    marker = f"{host_secrets.marker}-victim"
    victim_script = f"""
import time
for path in ("/work/victim.txt", "/tmp/victim.txt", "/dev/shm/victim.txt"):
    with open(path, "w") as handle:
        handle.write({marker!r})
print("planted", flush=True)
time.sleep(60)
"""
    victim = await api.submit(victim_script, limits={"timeoutSeconds": 60})

    async def planted() -> None:
        while "planted" not in (await api.get(victim["id"]))["stdout"]:
            await asyncio.sleep(0.1)

    await asyncio.wait_for(planted(), 30)
    thief_script = f"""
import os
found = []
for top in ("/work", "/tmp", "/dev/shm", "/proc"):
    for root, dirs, files in os.walk(top):
        if root.startswith("/proc/") and root.count("/") > 2:
            dirs[:] = []
        for name in files:
            path = os.path.join(root, name)
            if "victim" in name:
                found.append(path)
            if top != "/proc":
                try:
                    with open(path, "rb") as handle:
                        # Spelled backwards here, so that this very script does not match.
                        if {marker[::-1]!r}[::-1].encode() in handle.read():
                            found.append(path)
                except OSError:
                    pass
print("found", found)
"""
    try:
        execution = await attack(api, thief_script, timeoutSeconds=20)
        assert (execution["status"], execution["stdout"]) == ("COMPLETED", "found []\n")
    finally:
        assert (await api.cancel(victim["id"]))["status"] == "CANCELLED"
