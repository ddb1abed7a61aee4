"""Starting a sandbox's host process: its file descriptors, the fork, the pidfd.

Synchronous on purpose: `Popen` forks with vfork and returns once the child has exec'd (well
under a millisecond); asyncio's own `create_subprocess_exec` does the same in the loop thread.
We use Popen directly to own the pipes (read in 64 KiB chunks as data arrives) and to learn
of the exit through a pidfd, independently of when the pipes close.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from service.adapters.sandbox.local.pipes import data_fd
from service.adapters.sandbox.local.uids import UidLease

# The environment of sh/setpriv/bwrap on the host; the script gets its own (see bwrap.py),
# and nothing of the worker's environment (credentials) reaches even bwrap.
HOST_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


@dataclass(frozen=True, slots=True)
class SandboxProcess:
    """What was started: the host process (sh → setpriv → bwrap), our pipe ends, its uid."""

    popen: subprocess.Popen[bytes]
    pidfd: int
    stdout_fd: int
    stderr_fd: int
    stdin_fd: int | None
    spawned_at: float  # loop time; for a warm sandbox, when it was given its script
    # A warm sandbox's script pipe (our end); None when bwrap got the script at spawn.
    script_fd: int | None = None
    # The sandbox's own host uid (None when the worker is not root: it runs as the worker's).
    lease: UidLease | None = None
    # Our end of the display channel (`service.domain.display`).
    display_fd: int | None = None
    # Our end of the pipe the files the script left come out of (`filewrap.py`).
    files_fd: int | None = None


@dataclass(frozen=True, slots=True)
class SandboxFds:
    """The sandbox's ends of its extra channels: the display channel's write end, and the
    file streams (`filewrap.py`), None when there is none."""

    display_fd: int
    in_fd: int | None = None
    out_fd: int | None = None


def spawn(
    argv_for: Callable[[int, int, SandboxFds], list[str]],
    *,
    script: bytes | None,
    seccomp: bytes,
    with_stdin: bool,
    clock: Callable[[], float],
    lease: UidLease | None = None,
    files_in: bytes | None = None,
    files_out: bool = False,
) -> SandboxProcess:
    """Fork the sandbox; `argv_for(script_fd, seccomp_fd, fds)` is its command line (`fds`:
    the ends of the display channel and the file streams the sandbox inherits).

    `script=None` starts a warm sandbox: `script_fd` is then the read end of a pipe the
    sandbox's interpreter waits on, and the write end is returned as `script_fd`.
    `files_in` is handed in as a memfd; `files_out` adds a pipe for the files collected.
    Raises OSError (or ValueError for an argv bwrap cannot take) with nothing left open.
    """
    child_fds: list[int] = []
    our_fds: list[int] = []
    popen: subprocess.Popen[bytes] | None = None
    try:
        script_w: int | None = None
        if script is None:
            script_fd, script_w = os.pipe()
            our_fds.append(script_w)
        else:
            script_fd = data_fd("podrun-script", script)
        child_fds.append(script_fd)
        seccomp_fd = data_fd("podrun-seccomp", seccomp)
        child_fds.append(seccomp_fd)
        fds, display_r, files_r = _channels(our_fds, child_fds, files_in, files_out)
        argv = argv_for(script_fd, seccomp_fd, fds)
        stdout_r, stdout_w = os.pipe()
        our_fds.append(stdout_r)
        child_fds.append(stdout_w)
        stderr_r, stderr_w = os.pipe()
        our_fds.append(stderr_r)
        child_fds.append(stderr_w)
        stdin_r: int | None = None
        stdin_w: int | None = None
        if with_stdin:
            stdin_r, stdin_w = os.pipe()
            our_fds.append(stdin_w)
            child_fds.append(stdin_r)
        spawned_at = clock()
        popen = subprocess.Popen(
            argv,
            stdin=stdin_r if stdin_r is not None else subprocess.DEVNULL,
            stdout=stdout_w,
            stderr=stderr_w,
            pass_fds=tuple(
                fd
                for fd in (script_fd, seccomp_fd, fds.display_fd, fds.in_fd, fds.out_fd)
                if fd is not None
            ),
            close_fds=True,
            env=HOST_ENV,
            cwd="/",
        )
        pidfd = os.pidfd_open(popen.pid)
    except BaseException:
        if popen is not None:
            popen.kill()
            popen.wait()
        for fd in our_fds:
            os.close(fd)
        raise
    finally:
        for fd in child_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
    return SandboxProcess(
        popen,
        pidfd,
        stdout_r,
        stderr_r,
        stdin_w,
        spawned_at,
        script_w,
        lease,
        display_fd=display_r,
        files_fd=files_r,
    )


def _channels(
    our_fds: list[int], child_fds: list[int], files_in: bytes | None, files_out: bool
) -> tuple[SandboxFds, int, int | None]:
    """The display channel and the file streams: the sandbox's ends, our display end and
    our files end (each fd also listed in `our_fds` or `child_fds`, for closing)."""
    # A socket pair, not a pipe: the worker acknowledges each display on it (handle.py).
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    display_r, display_w = ours.detach(), theirs.detach()
    our_fds.append(display_r)
    child_fds.append(display_w)
    in_fd = out_w = files_r = None
    if files_in is not None:
        in_fd = data_fd("podrun-files", files_in)
        child_fds.append(in_fd)
    if files_out:
        files_r, out_w = os.pipe()
        our_fds.append(files_r)
        child_fds.append(out_w)
    return SandboxFds(display_w, in_fd, out_w), display_r, files_r
