"""The host prelude (join the cgroup, set rlimits, exec) and its failure signal; the inner
stage (the sandbox's disk, pseudo-terminals and per-user counters)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from service.adapters.sandbox.local.commands import (
    MAX_LOCKED_BYTES,
    MAX_PENDING_SIGNALS,
    PRELUDE_FAILED,
    host_argv,
    inner_argv,
)
from service.domain.limits import Limits


def run_prelude(procs_files: list[Path], command: list[str]) -> subprocess.CompletedProcess[str]:
    argv = host_argv(
        shell="/bin/sh",
        procs_files=procs_files,
        max_open_files=64,
        max_file_bytes=1024 * 1024,
        drop_privileges=[],
        sandbox=command,
    )
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def test_prelude_writes_its_pid_then_execs_with_limits(tmp_path: Path) -> None:
    procs = [tmp_path / "a.procs", tmp_path / "b.procs"]
    for path in procs:
        path.write_text("")
    result = run_prelude(
        procs, ["/bin/sh", "-c", "echo $$; ulimit -n; ulimit -Hn; ulimit -f; ulimit -c"]
    )
    pid, nofile, nofile_hard, fsize_blocks, core = result.stdout.split()
    # exec keeps the pid: the process that joined is the one that runs bwrap.
    assert [p.read_text().strip() for p in procs] == [pid, pid]
    assert (nofile, nofile_hard, fsize_blocks, core) == ("64", "64", "2048", "0")


def test_prelude_that_cannot_join_kills_itself_with_the_failure_signal(tmp_path: Path) -> None:
    result = run_prelude([tmp_path / "missing/cgroup.procs"], ["/bin/echo", "never"])
    assert result.returncode == -PRELUDE_FAILED
    assert "never" not in result.stdout
    assert "missing" in result.stderr


def test_arguments_are_never_shell_text(tmp_path: Path) -> None:
    result = run_prelude([], ["/bin/echo", "$(id)", ";", "`id`"])
    assert result.stdout == "$(id) ; `id`\n"


def test_inner_stage_mounts_one_bounded_disk_then_execs_with_lower_counters() -> None:
    tool = shutil.which
    argv = inner_argv(
        unshare=str(tool("unshare")),
        shell="/bin/sh",
        prlimit=str(tool("prlimit")),
        limits=Limits(memory_mib=64, disk_mib=8),
    )
    script = (
        "echo $$; ls /tmp; grep -o 'podrun-[a-z]* rw,[^ ]*' /proc/self/mountinfo; "
        "prlimit --pid $$ --sigpending --memlock --noheadings --output SOFT,HARD"
    )
    result = subprocess.run(
        ["/bin/sh", "-c", 'echo $$; exec "$@"', "outer", *argv, "/bin/sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[0] == lines[1], "every stage execs the next: the pid never changes"
    assert lines[2:] == [
        ["pts"],
        ["shm"],
        ["tmp"],
        ["work"],
        ["podrun-disk", f"rw,size={8 * 1024}k,nr_inodes={8 * 256},mode=755"],
        ["podrun-pts", "rw,mode=620,ptmxmode=666,max=64"],
        [str(MAX_PENDING_SIGNALS)] * 2,
        [str(MAX_LOCKED_BYTES)] * 2,
    ], result.stderr
