"""The bubblewrap command line of one sandbox: namespaces, file system, environment.

What the script sees:

- New user, pid, network, ipc, uts, mount and cgroup namespaces; no further user namespaces
  (`--disable-userns`); only a loopback interface; its own `/proc`; a minimal `/dev`.
- The host's `/usr` read-only, with `/bin`, `/lib`, `/lib64`, `/sbin` mirrored from the host
  (symlinks into `/usr` on merged-/usr hosts). Nothing else of the host: no `/etc`, `/home`,
  `/root`, `/var`, `/run`, no sockets.
- The script, read-only, at `/work/main.py`: bwrap copies it from a memfd we hand it
  (`--ro-bind-data FD`), so it never exists as a host file and the trusted side never opens a
  path the script could have influenced.
- `/work` (the working directory), `/tmp` (also `HOME`) and `/dev/shm` (POSIX semaphores and
  shared memory, which multiprocessing needs) are writable tmpfs mounts, each capped at the
  execution's `disk_mib`, and never more than half its memory limit: tmpfs pages are charged
  to the sandbox's memory cgroup, so a full disk must not look like an OOM kill. The root and
  `/dev` are remounted read-only so nothing can be written outside those caps.
- A clean environment: PATH, HOME=/tmp, LANG=C.UTF-8, PYTHONUNBUFFERED=1 (output streams live
  and `input()` prompts appear at once), PYTHONDONTWRITEBYTECODE=1, plus the spec's variables
  (which cannot override these).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from service.domain.limits import Limits
from service.domain.sandboxes import SandboxSpec

MIB = 1024 * 1024
WORK_DIR = "/work"
SCRIPT_PATH = "/work/main.py"
HOME = "/tmp"

BASE_ENV: Mapping[str, str] = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": HOME,
    "LANG": "C.UTF-8",
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}

# Top-level host entries mirrored into the sandbox when present (all under /usr on Debian).
ROOT_LINK_NAMES = ("bin", "sbin", "lib", "lib64", "lib32", "libx32")


def root_links(host_root: Path = Path("/")) -> tuple[str, ...]:
    """bwrap arguments recreating `/bin`, `/lib`… as the host has them: a symlink where the
    host has one (merged /usr), else a read-only bind of the directory."""
    args: list[str] = []
    for name in ROOT_LINK_NAMES:
        path = host_root / name
        if path.is_symlink():
            args += ["--symlink", str(path.readlink()), f"/{name}"]
        elif path.is_dir():
            args += ["--ro-bind", str(path), f"/{name}"]
    return tuple(args)


def tmpfs_bytes(limits: Limits) -> int:
    """Size of each writable tmpfs: the disk limit, at most half the memory limit."""
    return max(1, min(limits.disk_mib, limits.memory_mib // 2)) * MIB


def sandbox_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The script's whole environment; raises ValueError for a name bwrap cannot set."""
    env: dict[str, str] = {}
    for name, value in extra.items():
        if not name or "=" in name or "\0" in name or "\0" in value:
            raise ValueError(f"invalid environment variable {name!r}")
        env[name] = value
    env.update(BASE_ENV)
    return env


def bwrap_argv(
    bwrap: str,
    spec: SandboxSpec,
    *,
    script_fd: int | None,
    seccomp_fd: int | None,
    links: tuple[str, ...],
    hostname: str,
    disable_userns: bool = True,
    command: Sequence[str] | None = None,
) -> list[str]:
    """The full bwrap invocation running `spec.runtime.command` on the script.

    With `script_fd=None` and a `command` (a warm sandbox), `/work/main.py` is not bound:
    the command itself receives the script later and writes it there.
    """
    size = str(tmpfs_bytes(spec.limits))
    argv = [
        bwrap,
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup",
    ]
    if disable_userns:
        argv.append("--disable-userns")
    argv += [
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        hostname,
        "--clearenv",
    ]
    for name, value in sandbox_env(spec.env).items():
        argv += ["--setenv", name, value]
    argv += [
        "--ro-bind",
        "/usr",
        "/usr",
        *links,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        size,
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--size",
        size,
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--tmpfs",
        WORK_DIR,
    ]
    if script_fd is not None:
        argv += ["--ro-bind-data", str(script_fd), SCRIPT_PATH]
    argv += [
        "--remount-ro",
        "/",
        "--chdir",
        WORK_DIR,
    ]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    if command is None:
        command = [*spec.runtime.command, SCRIPT_PATH]
    argv += ["--", *command]
    return argv
