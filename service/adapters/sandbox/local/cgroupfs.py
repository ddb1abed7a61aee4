"""Plain file I/O on cgroupfs, and the signalling and polling a cgroup's kill needs.

`cgroups.py` builds one execution's cgroup out of these: writes that fail loudly (a missing
file is a missing controller), reads that tolerate a file the kernel does not offer, the
pidfd-pinned SIGKILL of a listed member, and the short bounded polls of a freeze taking
effect or a cgroup emptying. Nothing here knows a cgroup version.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import time
from pathlib import Path

# Polls start fast (a freeze or a SIGKILLed exit usually takes well under a millisecond) and
# back off to this.
_POLL_MAX_SECONDS = 0.005


class CgroupError(Exception):
    """A cgroup could not be created, limited or removed."""


def write(path: Path, value: str) -> None:
    # No O_CREAT: on cgroupfs a missing file means a missing controller, which is an error.
    # (O_TRUNC is what `echo >` does; cgroupfs ignores it.)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)
    except OSError as error:
        raise CgroupError(f"cannot write {value!r} to {path}: {error.strerror}") from error


def read(path: Path) -> str:
    return path.read_text().strip()


def read_int(path: Path) -> int:
    try:
        return int(read(path))
    except (OSError, ValueError):
        return 0


def read_keyed(path: Path) -> dict[str, int]:
    """`key value` lines (memory.events, cpu.stat, memory.oom_control, cgroup.events)."""
    result: dict[str, int] = {}
    try:
        text = path.read_text()
    except OSError:
        return result
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            result[key] = int(value)
    return result


def read_pids(path: Path) -> list[int]:
    try:
        return [int(line) for line in path.read_text().split()]
    except FileNotFoundError:
        return []


def sigkill_member(pid: int, leaf: str) -> None:
    """SIGKILL `pid` only while it is a process of the cgroup named `leaf`.

    A pid read from `cgroup.procs` may exit, and the number be reused by a host process,
    before the signal is sent; a script can try to time that. A pidfd pins the process that
    holds the number now; if it is a member when we look, the signal reaches exactly it, and
    if it died in between, the pidfd signals nobody (never the number's next owner).
    """
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return  # already gone
    try:
        try:
            with open(f"/proc/{pid}/cgroup", encoding="ascii", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return
        if any(leaf in line.partition(":")[2].partition(":")[2].split("/") for line in lines):
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    finally:
        os.close(pidfd)


async def pause(attempt: int) -> int:
    await asyncio.sleep(min(_POLL_MAX_SECONDS, 0.0001 * 2**attempt))
    return attempt + 1


async def rmdir(path: Path, deadline: float) -> None:
    attempt = 0
    while True:
        try:
            path.rmdir()
        except FileNotFoundError:
            return
        except OSError as error:
            # EBUSY: a killed process has not left yet.
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                raise CgroupError(f"cannot remove cgroup {path}: {error.strerror}") from error
            attempt = await pause(attempt)
        else:
            return
