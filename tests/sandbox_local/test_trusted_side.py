"""The trusted side never follows what a script can influence.

The worker hands the script and the seccomp program over as memfds, talks to the sandbox
through pipes only, reads usage from its cgroup's kernel files (out of the script's reach),
and never touches the sandbox's tmpfs mounts: after the run they are gone with its mount
namespace. Links a script plants therefore lead nowhere, and a kill never hits a process that
is not the sandbox's, even when a pid it listed was reused.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.adapters.sandbox.local import LocalSandboxBackend
from service.adapters.sandbox.local.cgroups import CgroupError, CgroupV1Limits, CgroupV2Limits
from service.domain.limits import Limits
from tests.sandbox_local.conftest import run_script
from tests.sandbox_local.test_cgroup_v2 import lay_out


def _snapshot(directory: Path) -> dict[str, tuple[int, int, int, bytes]]:
    return {
        str(path): (
            path.stat().st_mtime_ns,
            path.stat().st_size,
            path.stat().st_nlink,
            path.read_bytes(),
        )
        for path in directory.rglob("*")
        if path.is_file()
    }


async def test_links_planted_by_the_script_lead_nowhere(
    backend: LocalSandboxBackend, tmp_path: Path
) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("host data")
    os.chmod(tmp_path, 0o777)  # even a world-writable host directory is out of reach
    before = _snapshot(tmp_path)
    script = f"""
import errno, os
def try_(name, call):
    try:
        call()
        print(name, "ok")
    except OSError as error:
        print(name, errno.errorcode[error.errno])
for where in ("/work", "/tmp", "/dev/shm"):
    os.symlink({str(canary)!r}, f"{{where}}/canary")
    os.symlink({str(tmp_path)!r}, f"{{where}}/dir")
    try_(f"write through {{where}}", lambda: open(f"{{where}}/canary", "w").write("pwned"))
    try_(f"create under {{where}}", lambda: open(f"{{where}}/dir/new", "w").write("pwned"))
    try_(f"hardlink into {{where}}", lambda: os.link({str(canary)!r}, f"{{where}}/hard"))
"""
    run = await run_script(backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    for where in ("/work", "/tmp", "/dev/shm"):
        # The link dangles: the host path does not exist in the sandbox's view.
        assert f"write through {where} ENOENT" in run.stdout.splitlines()
        assert f"create under {where} ENOENT" in run.stdout.splitlines()
        assert f"hardlink into {where} ENOENT" in run.stdout.splitlines()
    assert _snapshot(tmp_path) == before


async def test_the_script_cannot_reach_the_cgroup_files_the_host_reads(
    backend: LocalSandboxBackend,
) -> None:
    script = """
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
print("cgroups", sorted({line.strip().rsplit(":", 1)[1] for line in open("/proc/self/cgroup")}))
print("sys", os.path.exists("/sys"))
os.makedirs("/tmp/cg", exist_ok=True)
for fstype in (b"cgroup2", b"cgroup"):
    result = libc.mount(fstype, b"/tmp/cg", fstype, 0, b"memory" if fstype == b"cgroup" else None)
    print("mount", fstype.decode(), result, errno.errorcode.get(ctypes.get_errno()))
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
print("unshare", libc.unshare(CLONE_NEWUSER | CLONE_NEWNS),
      errno.errorcode.get(ctypes.get_errno()))
data = b"x" * (40 * 1024 * 1024)
"""
    run = await run_script(backend, script, limits=Limits(memory_mib=128))
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "cgroups ['/']",  # its own cgroup namespace: the host's paths are not even named
        "sys False",
        "mount cgroup2 -1 EPERM",
        "mount cgroup -1 EPERM",
        "unshare -1 EPERM",
    ]
    usage = run.outcome.usage
    assert usage is not None and 40 * 1024 <= usage.peak_memory_kib < 128 * 1024


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    """A host process that is in no sandbox's cgroup."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


async def test_a_listed_pid_that_is_not_a_member_is_never_signalled_v1(
    tmp_path: Path, bystander: subprocess.Popen[bytes]
) -> None:
    # As if the sandbox's process had exited and the host reused its pid after the listing.
    pids = tmp_path / "pids" / "run-test-00000000"
    pids.mkdir(parents=True)
    (pids / "cgroup.procs").write_text(f"{bystander.pid}\n")
    with pytest.raises(CgroupError, match="survived"):
        await CgroupV1Limits({"pids": pids}).kill(0.3)
    assert bystander.poll() is None


async def test_a_listed_pid_that_is_not_a_member_is_never_signalled_v2(
    tmp_path: Path, bystander: subprocess.Popen[bytes]
) -> None:
    # Without cgroup.kill (Linux < 5.14): freeze, kill the listed members, thaw.
    path = lay_out(
        tmp_path / "run-test-00000000",
        **{
            "cgroup.kill": None,
            "cgroup.freeze": "0\n",
            "cgroup.events": "populated 1\nfrozen 1\n",
            "cgroup.procs": f"{bystander.pid}\n",
        },
    )
    with pytest.raises(CgroupError, match="survived"):
        await CgroupV2Limits(path).kill(0.3)
    assert bystander.poll() is None
