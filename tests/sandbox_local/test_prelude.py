"""The host prelude (join the cgroup, set rlimits, exec) and its failure signal."""

from __future__ import annotations

import subprocess
from pathlib import Path

from service.adapters.sandbox.local.commands import PRELUDE_FAILED, host_argv


def run_prelude(procs_files: list[Path], command: list[str]) -> subprocess.CompletedProcess[str]:
    argv = host_argv(shell="/bin/sh", procs_files=procs_files, max_open_files=64,
                     max_file_bytes=1024 * 1024, drop_privileges=[], sandbox=command)
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def test_prelude_writes_its_pid_then_execs_with_limits(tmp_path: Path) -> None:
    procs = [tmp_path / "a.procs", tmp_path / "b.procs"]
    for path in procs:
        path.write_text("")
    result = run_prelude(procs, ["/bin/sh", "-c", "echo $$; ulimit -n; ulimit -Hn; ulimit -f; ulimit -c"])
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
