"""What the host must provide for local sandboxes, each gap reported with how to close it.

Checked once at backend start; every failure is a `BackendUnavailable` whose message names
what is missing and the command or setting that fixes it.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from service.services.ports.sandbox import BackendUnavailable

PROC_SYS = Path("/proc/sys")


@dataclass(frozen=True, slots=True)
class SandboxUser:
    """The host identity bubblewrap runs as."""

    name: str
    uid: int
    gid: int


def find_tool(configured: str, what: str, install: str) -> str:
    """Absolute path of an executable, or BackendUnavailable saying how to install it."""
    found = shutil.which(configured)
    if found is None:
        raise BackendUnavailable(f"{what} not found at {configured!r}: {install}")
    return os.path.abspath(found)


def find_sandbox_user(name: str) -> SandboxUser:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise BackendUnavailable(
            f"sandbox user {name!r} does not exist: create it (useradd --system {name}) or "
            "set PODRUN_LOCAL_SANDBOX_USER to an existing unprivileged user"
        ) from None
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise BackendUnavailable(
            f"sandbox user {name!r} is root or in group root: choose an unprivileged user "
            "(PODRUN_LOCAL_SANDBOX_USER), since bwrap started as root maps the sandbox to root"
        )
    return SandboxUser(name, entry.pw_uid, entry.pw_gid)


def user_namespace_problem(proc_sys: Path = PROC_SYS) -> str | None:
    """Why unprivileged user namespaces cannot be created here, or None."""
    max_namespaces = _read(proc_sys / "user/max_user_namespaces")
    if max_namespaces == "0":
        return (
            "user namespaces are disabled (user.max_user_namespaces=0): "
            "sysctl -w user.max_user_namespaces=15000"
        )
    if _read(proc_sys / "kernel/unprivileged_userns_clone") == "0":
        return (
            "unprivileged user namespaces are disabled: "
            "sysctl -w kernel.unprivileged_userns_clone=1"
        )
    if _read(proc_sys / "kernel/apparmor_restrict_unprivileged_userns") == "1":
        return (
            "AppArmor restricts unprivileged user namespaces: install an AppArmor profile "
            "allowing userns for bwrap, or sysctl -w "
            "kernel.apparmor_restrict_unprivileged_userns=0"
        )
    return None


async def bwrap_version(bwrap: str) -> tuple[int, ...]:
    """bubblewrap's version, e.g. (0, 8, 0); () when it cannot be told."""
    try:
        process = await asyncio.create_subprocess_exec(
            bwrap,
            "--version",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        async with asyncio.timeout(10):
            output, _ = await process.communicate()
    except (OSError, TimeoutError) as error:
        raise BackendUnavailable(f"cannot run {bwrap} --version: {error}") from error
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", output.decode(errors="replace"))
    if process.returncode != 0 or match is None:
        return ()
    return tuple(int(part) for part in match.groups(default="0"))


def check_pidfd() -> None:
    """We learn of exits through pidfds (Linux 5.3+)."""
    try:
        fd = os.pidfd_open(os.getpid())
    except (AttributeError, OSError) as error:
        raise BackendUnavailable(
            f"pidfd_open is not available ({error}): the local backend needs Linux 5.3 or newer"
        ) from error
    os.close(fd)


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
