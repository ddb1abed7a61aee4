"""The bubblewrap command line of one sandbox: namespaces, file system, environment.

What the script sees:

- New user, pid, network, ipc, uts, mount and cgroup namespaces; no further user namespaces
  (`--disable-userns`); only a loopback interface; its own `/proc`; a minimal `/dev`, whose
  `/dev/pts` holds at most `MAX_PTYS` pseudo-terminals.
- The host's `/usr` read-only, with `/bin`, `/lib`, `/lib64`, `/sbin` mirrored from the host
  (symlinks into `/usr` on merged-/usr hosts). Nothing else of the host: no `/etc`, `/home`,
  `/root`, `/var`, `/run`, no sockets.
- The script, read-only, at `/work/main.py`: bwrap copies it from a memfd we hand it
  (`--ro-bind-data FD`), so it never exists as a host file and the trusted side never opens a
  path the script could have influenced.
- `/work` (the working directory), `/tmp` (also `HOME`) and `/dev/shm` (POSIX semaphores and
  shared memory, which multiprocessing needs) are writable, and share one disk budget: they
  are directories of a single tmpfs (`commands.inner_argv` mounts it, in a mount namespace of
  its own, before bwrap starts), bound into place. Its size is the execution's `disk_mib`,
  never more than half its memory limit, and it has one inode per page of that size: tmpfs
  pages and inodes are charged to the sandbox's memory cgroup, so a full disk (or a flood of
  empty files) must end in ENOSPC, never look like an OOM kill. The root and `/dev` are
  remounted read-only so nothing can be written outside that budget.
- A clean environment: PATH, HOME=/tmp, LANG=C.UTF-8, PYTHONUNBUFFERED=1 (output streams live
  and `input()` prompts appear at once), PYTHONDONTWRITEBYTECODE=1, plus the spec's variables
  (which cannot override these).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from service.domain.limits import Limits
from service.domain.sandboxes import SandboxSpec

MIB = 1024 * 1024
WORK_DIR = "/work"
SCRIPT_PATH = "/work/main.py"
HOME = "/tmp"
PAGE_BYTES = 4096
MIN_INODES = 256

# Where the inner stage (commands.py) mounts the budget tmpfs, in a mount namespace of its own
# (the host never sees it): `/tmp` exists on every host, and bwrap supports binding from under
# it. Each writable directory of the sandbox is a directory of that tmpfs.
DISK_ROOT = "/tmp"
DISK_DIRS: Mapping[str, str] = {"/dev/shm": "shm", HOME: "tmp", WORK_DIR: "work"}
# The sandbox's own devpts instance, mounted there too (outside the directories above), with
# at most this many pseudo-terminals: all sandboxes together share `kernel.pty.max` (4096)
# less the host's reserve (1024).
PTS_DIR = f"{DISK_ROOT}/pts"
MAX_PTYS = 64

BASE_ENV: Mapping[str, str] = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": HOME,
    "LANG": "C.UTF-8",
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}

# Not PODRUN_*: those name the service's own settings, which never reach a sandbox.
DISPLAY_FD_VARIABLE = "SANDBOX_DISPLAY_FD"

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
    """Size of the one writable tmpfs: the disk limit, at most half the memory limit (the
    other half leaves room for the interpreter and the inodes' kernel memory)."""
    return max(1, min(limits.disk_mib, limits.memory_mib // 2)) * MIB


def tmpfs_inodes(limits: Limits) -> int:
    """Inodes of that tmpfs: one per page, since a file's data takes a page anyway; the cap
    only stops floods of empty files and directories (about 1 KiB of kernel memory each)."""
    return max(MIN_INODES, tmpfs_bytes(limits) // PAGE_BYTES)


def sandbox_env(
    extra: Mapping[str, str], runtime: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """The script's whole environment (the runtime's own variables win over the spec's, as
    the fixed ones do); raises ValueError for a name bwrap cannot set."""
    env: dict[str, str] = {}
    for name, value in extra.items():
        if not name or "=" in name or "\0" in name or "\0" in value:
            raise ValueError(f"invalid environment variable {name!r}")
        env[name] = value
    env.update(BASE_ENV)
    env.update(runtime)
    return env


def bwrap_argv(
    bwrap: str,
    spec: SandboxSpec,
    *,
    script_fd: int | None,
    seccomp_fd: int | None,
    links: tuple[str, ...],
    hostname: str,
    uid: int,
    gid: int,
    disable_userns: bool = True,
    command: Sequence[str] | None = None,
    display_fd: int | None = None,
) -> list[str]:
    """The full bwrap invocation running `spec.runtime.command` on the script.

    With `script_fd=None` and a `command` (a warm sandbox), `/work/main.py` is not bound:
    the command itself receives the script later and writes it there. bwrap runs as root
    of the inner stage's user namespace; `uid`/`gid` are the host identity the script has.
    """
    shm, tmp, work = (f"{DISK_ROOT}/{DISK_DIRS[path]}" for path in ("/dev/shm", HOME, WORK_DIR))
    argv = [
        bwrap,
        "--unshare-user",
        "--uid",
        str(uid),
        "--gid",
        str(gid),
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
    for name, value in sandbox_env(spec.env, spec.runtime.env).items():
        argv += ["--setenv", name, value]
    if display_fd is not None:
        # The display channel's write end, inherited (`service.domain.display`).
        argv += ["--setenv", DISPLAY_FD_VARIABLE, str(display_fd)]
    argv += [
        "--ro-bind",
        "/usr",
        "/usr",
        *links,
        # The runtime's own trees (an interpreter prefix, an environment), read-only.
        *(arg for m in spec.runtime.mounts for arg in ("--ro-bind", m.source, m.target)),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--dev-bind",
        PTS_DIR,
        "/dev/pts",
        "--bind",
        shm,
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--bind",
        tmp,
        HOME,
        "--bind",
        work,
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
