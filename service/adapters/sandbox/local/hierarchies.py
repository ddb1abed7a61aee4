"""Finding a cgroup hierarchy we may write, preparing the parent cgroup, making child cgroups.

`auto` prefers cgroup v2 when its memory, cpu and pids controllers are available to us (the
layout of modern hosts), else the v1 controllers (memory, cpu, cpuacct, pids, freezer; hosts
like this project's Debian VMs with a hybrid layout, where the v2 mount has no controllers).
Mount points come from `/proc/self/mountinfo`, never from guessing paths.

`CgroupHierarchy.create` is the one way a sandbox's cgroup comes to be, cold or warm: a unique
name under the parent, the directories (`cgroups.py`), the limits; a cgroup that cannot be
limited is removed before the error is raised. Next: the launch command makes the sandbox's
first process join it (`launching.py`, `commands.py`).
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from service.adapters.sandbox.local.cgroups import (
    CgroupError,
    CgroupLimits,
    CgroupV1Limits,
    CgroupV2Limits,
)
from service.adapters.sandbox.local.config import CgroupMode
from service.domain.limits import Limits

V1_REQUIRED = ("memory", "cpu", "pids")
V1_OPTIONAL = ("cpuacct", "freezer")
V2_REQUIRED = ("memory", "cpu", "pids")
MOUNTINFO = Path("/proc/self/mountinfo")
# Empty per-execution cgroups older than this are leftovers of a worker that died hard.
_STALE_SECONDS = 60.0


class CgroupUnavailable(Exception):
    """No usable cgroup hierarchy; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Mount:
    """One line of /proc/self/mountinfo, reduced to what we need."""

    mount_point: Path
    fstype: str
    options: frozenset[str]
    super_options: frozenset[str]


class CgroupHierarchy(abc.ABC):
    """Where per-execution cgroups are made: `<hierarchy>/<parent>/<name>`."""

    version: str

    @abc.abstractmethod
    def prepare(self) -> None:
        """Create the parent cgroup (and enable controllers); raise CgroupUnavailable."""

    @abc.abstractmethod
    def new(self, name: str) -> CgroupLimits:
        """A per-execution cgroup object (not yet created)."""

    @abc.abstractmethod
    def describe(self) -> str:
        """For logs: which directories are used."""

    def create(self, execution_id: str, limits: Limits, *, extra_processes: int) -> CgroupLimits:
        """A new cgroup for `execution_id`, created and limited; CgroupError leaves none."""
        cgroup = self.new(cgroup_name(execution_id))
        cgroup.create()
        try:
            cgroup.apply(limits, extra_processes=extra_processes)
        except CgroupError:
            with contextlib.suppress(CgroupError):
                cgroup.remove_now()
            raise
        return cgroup

    @staticmethod
    def _sweep(parent: Path) -> None:
        now = time.time()
        with contextlib.suppress(OSError):
            for child in parent.iterdir():
                if child.is_dir() and now - child.stat().st_mtime > _STALE_SECONDS:
                    # rmdir refuses a cgroup that still has processes, so this only ever
                    # removes empty leftovers.
                    with contextlib.suppress(OSError):
                        child.rmdir()


class CgroupV1Hierarchy(CgroupHierarchy):
    """The v1 controllers, each under its own mount point (co-mounts share one)."""

    version = "v1"

    def __init__(self, mounts: Mapping[str, Path], parent: str) -> None:
        self._parents = {name: mount / parent for name, mount in mounts.items()}

    def prepare(self) -> None:
        for name, path in self._parents.items():
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise CgroupUnavailable(
                    f"cannot create cgroup {path} ({name} controller): {error.strerror}"
                ) from error
        # Writability of the parent is what counts: a root that cannot write cgroupfs (a
        # read-only /sys in a container) fails here, not at the first launch.
        for name, path in self._parents.items():
            if not os.access(path / "cgroup.procs", os.W_OK):
                raise CgroupUnavailable(f"cgroup {path} ({name} controller) is not writable")
        for path in dict.fromkeys(self._parents.values()):
            self._sweep(path)

    def new(self, name: str) -> CgroupV1Limits:
        return CgroupV1Limits({ctrl: parent / name for ctrl, parent in self._parents.items()})

    def describe(self) -> str:
        return "cgroup v1 " + ", ".join(f"{k}={v}" for k, v in self._parents.items())


class CgroupV2Hierarchy(CgroupHierarchy):
    """The unified hierarchy mounted at `root`."""

    version = "v2"

    def __init__(self, root: Path, parent: str) -> None:
        self._root = root
        self._parent = root / parent
        self._relative = PurePosixPath(parent)

    @property
    def parent(self) -> Path:
        return self._parent

    def prepare(self) -> None:
        wanted = set(V2_REQUIRED)
        available = set(_read_words(self._root / "cgroup.controllers"))
        missing = wanted - available
        if missing:
            raise CgroupUnavailable(
                f"cgroup v2 at {self._root} lacks the {', '.join(sorted(missing))} "
                "controller(s) (they may be bound to cgroup v1)"
            )
        # Controllers must be enabled in every ancestor's subtree_control, down to the parent
        # whose children are the sandboxes. On a systemd host the root already has them.
        steps = [self._root, *(self._root / p for p in _prefixes(self._relative))]
        try:
            for step in steps:
                step.mkdir(exist_ok=True)
                enabled = set(_read_words(step / "cgroup.subtree_control"))
                needed = sorted(wanted - enabled)
                if needed:
                    (step / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in needed))
        except OSError as error:
            raise CgroupUnavailable(
                f"cannot enable {', '.join(sorted(wanted))} for {self._parent}: "
                f"{error.strerror or error}"
            ) from error
        self._sweep(self._parent)

    def new(self, name: str) -> CgroupV2Limits:
        return CgroupV2Limits(self._parent / name)

    def describe(self) -> str:
        return f"cgroup v2 {self._parent}"


def find_hierarchy(mode: CgroupMode, parent: str, mountinfo: Path = MOUNTINFO) -> CgroupHierarchy:
    """The hierarchy to use for `mode` ("auto", "v1", "v2"), prepared; else CgroupUnavailable."""
    if mode == "none":
        raise CgroupUnavailable("cgroups are disabled by configuration")
    _check_parent(parent)
    mounts = read_mounts(mountinfo)
    reasons: list[str] = []
    candidates: list[CgroupHierarchy] = []
    if mode in ("auto", "v2"):
        v2 = _v2_candidate(mounts, parent, reasons)
        if v2 is not None:
            candidates.append(v2)
    if mode in ("auto", "v1"):
        v1 = _v1_candidate(mounts, parent, reasons)
        if v1 is not None:
            candidates.append(v1)
    for candidate in candidates:
        try:
            candidate.prepare()
        except CgroupUnavailable as error:
            reasons.append(str(error))
        else:
            return candidate
    raise CgroupUnavailable("; ".join(reasons) or "no cgroup hierarchy is mounted")


def cgroup_name(execution_id: str) -> str:
    """The directory name of a cgroup for `execution_id`."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", execution_id)[:64]
    # Never a controller file name ("memory.max"), unique even for a relaunched execution.
    return f"run-{safe}-{secrets.token_hex(4)}"


def read_mounts(mountinfo: Path = MOUNTINFO) -> list[Mount]:
    mounts: list[Mount] = []
    for line in mountinfo.read_text().splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 6 or len(tail) < 3:
            continue
        mounts.append(
            Mount(
                mount_point=Path(_unescape(fields[4])),
                fstype=tail[0],
                options=frozenset(fields[5].split(",")),
                super_options=frozenset(tail[2].split(",")),
            )
        )
    return mounts


def _v2_candidate(mounts: list[Mount], parent: str, reasons: list[str]) -> CgroupV2Hierarchy | None:
    for mount in mounts:
        if mount.fstype == "cgroup2":
            if "ro" in mount.options:
                reasons.append(f"cgroup v2 at {mount.mount_point} is mounted read-only")
                return None
            return CgroupV2Hierarchy(mount.mount_point, parent)
    reasons.append("no cgroup v2 hierarchy is mounted")
    return None


def _v1_candidate(mounts: list[Mount], parent: str, reasons: list[str]) -> CgroupV1Hierarchy | None:
    found: dict[str, Path] = {}
    for mount in mounts:
        if mount.fstype != "cgroup" or "ro" in mount.options:
            continue
        for controller in (*V1_REQUIRED, *V1_OPTIONAL):
            if controller in mount.super_options:
                found.setdefault(controller, mount.mount_point)
    missing = [c for c in V1_REQUIRED if c not in found]
    if missing:
        reasons.append(f"cgroup v1 lacks writable {', '.join(missing)} controller(s)")
        return None
    return CgroupV1Hierarchy(found, parent)


def _check_parent(parent: str) -> None:
    path = PurePosixPath(parent)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        raise CgroupUnavailable(
            f"cgroup parent {parent!r} must be a relative path like 'podrun' without '..'"
        )


def _prefixes(path: PurePosixPath) -> list[PurePosixPath]:
    """a/b/c -> a, a/b, a/b/c"""
    return [PurePosixPath(*path.parts[: i + 1]) for i in range(len(path.parts))]


def _read_words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo.
    return (
        field.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
    )


__all__ = [
    "CgroupError",
    "CgroupHierarchy",
    "CgroupUnavailable",
    "CgroupV1Hierarchy",
    "CgroupV2Hierarchy",
    "cgroup_name",
    "find_hierarchy",
    "read_mounts",
]
