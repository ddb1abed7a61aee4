"""One execution's cgroup: its limits, its kill switch, its counters.

`CgroupLimits` is the small interface the backend uses; `CgroupV1Limits` and `CgroupV2Limits`
implement it on the two kernel interfaces. All of it is plain file I/O on cgroupfs
(`cgroupfs.py`; each write is a few microseconds), so nothing here starts a process. The waits
(a freeze taking effect, killed processes leaving) poll with short sleeps and are bounded.

Creating, killing and removing are written once, in `CgroupLimits`: `create` makes the
cgroup's directories (one on v2, one per controller hierarchy on v1), `kill` uses the kernel's
one-shot kill where there is one (v2 `cgroup.kill`) and otherwise freeze → kill → thaw (or,
without a freezer, kill until empty); the subclasses only say which files those steps touch.
Cgroups are made through `CgroupHierarchy.create` (`hierarchies.py`), which also limits them.

The sandbox's processes join the cgroup themselves (the launch command writes its own pid to
every `procs_files` entry before it execs bubblewrap; see `commands.py`), so everything the
script ever starts is in it: killing the cgroup kills the whole tree, double-forked daemons
included. Next in the flow: `handle.py` kills, reads and removes it when the sandbox ends.
"""

from __future__ import annotations

import abc
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from service.adapters.sandbox.local.cgroupfs import (
    CgroupError,
    pause,
    read,
    read_int,
    read_keyed,
    read_pids,
    rmdir,
    sigkill_member,
    write,
)
from service.domain.limits import Limits

MIB = 1024 * 1024
CFS_PERIOD_US = 100_000

__all__ = [
    "CFS_PERIOD_US",
    "MIB",
    "CgroupError",
    "CgroupLimits",
    "CgroupUsage",
    "CgroupV1Limits",
    "CgroupV2Limits",
    "cpu_quota_us",
]


@dataclass(frozen=True, slots=True)
class CgroupUsage:
    """What the whole cgroup consumed; 0 where the kernel offers no counter."""

    cpu_time_ns: int
    peak_memory_bytes: int


def cpu_quota_us(millicores: int) -> int:
    """CFS quota per `CFS_PERIOD_US` for a share of one CPU (1000 millicores = one CPU)."""
    # The kernel refuses quotas below 1 ms.
    return max(1000, millicores * CFS_PERIOD_US // 1000)


class CgroupLimits(abc.ABC):
    """A per-execution cgroup: apply limits, join, kill everything in it, read counters."""

    # The cgroup directory's own (unique) name: what a process's /proc/PID/cgroup shows.
    _leaf: str

    @property
    @abc.abstractmethod
    def procs_files(self) -> tuple[Path, ...]:
        """Files a process writes its own pid to, to join this cgroup (one per hierarchy dir)."""

    @abc.abstractmethod
    def apply(self, limits: Limits, *, extra_processes: int = 0) -> None:
        """Write memory, CPU and process limits; `extra_processes` covers our own helpers."""

    @abc.abstractmethod
    def reset_peak(self) -> None:
        """Forget the peak memory so far (a warm sandbox's idle interpreter), where the
        kernel allows it; else the peak keeps counting from the cgroup's creation."""

    @abc.abstractmethod
    def pids(self) -> list[int]:
        """Processes currently in the cgroup."""

    @abc.abstractmethod
    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer killed in this cgroup."""

    @abc.abstractmethod
    def usage(self) -> CgroupUsage:
        """CPU time and peak memory of all processes that ran in the cgroup."""

    @abc.abstractmethod
    def _own_dirs(self) -> tuple[Path, ...]:
        """The directories `create` makes."""

    # What each interface offers for `kill`.

    def _kill_at_once(self) -> bool:
        """Kill every member with one kernel call, if this cgroup has one (False: it has not)."""
        return False

    @abc.abstractmethod
    def _can_freeze(self) -> bool:
        """Whether `_freeze` works here."""

    @abc.abstractmethod
    def _freeze(self, frozen: bool) -> None:
        """Ask the kernel to freeze (True) or thaw (False) the cgroup."""

    @abc.abstractmethod
    def _is_frozen(self) -> bool:
        """Whether the requested freeze has taken effect."""

    # Written once for both interfaces.

    def create(self) -> None:
        """Make the cgroup's directories; raise CgroupError (leaving none) when that fails."""
        made: list[Path] = []
        for path in self._own_dirs():
            try:
                path.mkdir()
            except OSError as error:
                for done in reversed(made):
                    with contextlib.suppress(OSError):
                        done.rmdir()
                raise CgroupError(f"cannot create cgroup {path}: {error.strerror}") from error
            made.append(path)

    async def kill(self, timeout: float) -> None:
        """SIGKILL every process in the cgroup and wait until it is empty."""
        deadline = time.monotonic() + timeout
        if self._kill_at_once():
            await self._wait_empty(deadline)
            return
        if not self._can_freeze():
            await self._kill_repeatedly(deadline)
            return
        if not self.pids():
            return
        self._freeze(True)
        try:
            # Freezing is asynchronous; a frozen cgroup cannot fork, and its pids cannot be
            # reused while we signal them (they cannot even exit).
            attempt = 0
            while not self._is_frozen() and time.monotonic() < deadline:
                attempt = await pause(attempt)
            for pid in self.pids():
                sigkill_member(pid, self._leaf)
        finally:
            self._freeze(False)
        await self._kill_repeatedly(deadline)

    async def remove(self, timeout: float) -> None:
        """Remove the (empty) cgroup, retrying while the kernel still tears processes down."""
        deadline = time.monotonic() + timeout
        for path in self._own_dirs():
            await rmdir(path, deadline)

    def remove_now(self) -> None:
        """Remove the cgroup at once, without waiting: for one no process ever joined."""
        for path in self._own_dirs():
            try:
                path.rmdir()
            except FileNotFoundError:
                continue
            except OSError as error:
                raise CgroupError(f"cannot remove cgroup {path}: {error.strerror}") from error

    async def _wait_empty(self, deadline: float) -> None:
        attempt = 0
        while self.pids():
            if time.monotonic() > deadline:
                raise CgroupError(f"processes {self.pids()} survived SIGKILL in {self}")
            attempt = await pause(attempt)

    async def _kill_repeatedly(self, deadline: float) -> None:
        """Without a freezer: kill what is listed until nothing is; forks in between are
        caught by the next round (and pids.max bounds how many there can be)."""
        attempt = 0
        while pids := self.pids():
            for pid in pids:
                sigkill_member(pid, self._leaf)
            if time.monotonic() > deadline:
                raise CgroupError(f"processes {pids} survived SIGKILL in {self}")
            attempt = await pause(attempt)


class CgroupV1Limits(CgroupLimits):
    """A cgroup on the v1 interface: one directory per controller hierarchy.

    Controllers used: memory (`memory.limit_in_bytes`, plus `memory.memsw.limit_in_bytes` so
    swap cannot dodge the limit), cpu (CFS quota), cpuacct (CPU time), pids (`pids.max`),
    freezer (to stop forks while killing). Co-mounted controllers share one directory.
    """

    def __init__(self, dirs: Mapping[str, Path]) -> None:
        if "pids" not in dirs and "memory" not in dirs:
            raise ValueError("a v1 cgroup needs at least the memory or pids controller")
        self._dirs = dict(dirs)
        self._unique = tuple(dict.fromkeys(self._dirs.values()))
        self._leaf = self._unique[0].name

    def __repr__(self) -> str:
        return f"CgroupV1Limits({', '.join(str(d) for d in self._unique)})"

    @property
    def dirs(self) -> Mapping[str, Path]:
        return dict(self._dirs)

    @property
    def procs_files(self) -> tuple[Path, ...]:
        return tuple(d / "cgroup.procs" for d in self._unique)

    def _own_dirs(self) -> tuple[Path, ...]:
        return self._unique

    def apply(self, limits: Limits, *, extra_processes: int = 0) -> None:
        memory = self._dirs.get("memory")
        if memory is not None:
            limit = limits.memory_mib * MIB
            files = [memory / "memory.limit_in_bytes"]
            memsw = memory / "memory.memsw.limit_in_bytes"
            if memsw.exists():
                files.append(memsw)
                # The memory limit may never exceed memory+swap: raising a limit already set
                # (a warm sandbox's) must raise memory+swap first.
                if limit > read_int(files[0]):
                    files.reverse()
            for path in files:
                write(path, str(limit))
        cpu = self._dirs.get("cpu")
        if cpu is not None:
            write(cpu / "cpu.cfs_period_us", str(CFS_PERIOD_US))
            write(cpu / "cpu.cfs_quota_us", str(cpu_quota_us(limits.cpu_millicores)))
        pids = self._dirs.get("pids")
        if pids is not None:
            write(pids / "pids.max", str(limits.max_processes + extra_processes))

    def reset_peak(self) -> None:
        memory = self._dirs.get("memory")
        if memory is not None:
            write(memory / "memory.max_usage_in_bytes", "0")

    def pids(self) -> list[int]:
        return read_pids(self._tasks_dir / "cgroup.procs")

    @property
    def _tasks_dir(self) -> Path:
        return self._dirs.get("freezer") or self._dirs.get("pids") or self._dirs["memory"]

    def _can_freeze(self) -> bool:
        return "freezer" in self._dirs

    def _freeze(self, frozen: bool) -> None:
        write(self._dirs["freezer"] / "freezer.state", "FROZEN" if frozen else "THAWED")

    def _is_frozen(self) -> bool:
        return read(self._dirs["freezer"] / "freezer.state") == "FROZEN"

    def oom_kills(self) -> int:
        memory = self._dirs.get("memory")
        if memory is None:
            return 0
        return read_keyed(memory / "memory.oom_control").get("oom_kill", 0)

    def usage(self) -> CgroupUsage:
        cpuacct = self._dirs.get("cpuacct")
        memory = self._dirs.get("memory")
        return CgroupUsage(
            cpu_time_ns=read_int(cpuacct / "cpuacct.usage") if cpuacct else 0,
            peak_memory_bytes=read_int(memory / "memory.max_usage_in_bytes") if memory else 0,
        )


class CgroupV2Limits(CgroupLimits):
    """A cgroup on the unified (v2) interface: one directory.

    `memory.max` with `memory.swap.max=0`, `cpu.max`, `pids.max`; killed with `cgroup.kill`
    (Linux 5.14+, else freeze, kill, thaw); OOM kills from `memory.events`, CPU time from
    `cpu.stat`, peak memory from `memory.peak` (Linux 5.19+). That peak is never reset: the
    kernel resets it only for one open file (6.12+), so a warm sandbox's includes its idle
    interpreter (a floor any Python script reaches anyway).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._leaf = path.name

    def __repr__(self) -> str:
        return f"CgroupV2Limits({self._path})"

    @property
    def path(self) -> Path:
        return self._path

    @property
    def procs_files(self) -> tuple[Path, ...]:
        return (self._path / "cgroup.procs",)

    def _own_dirs(self) -> tuple[Path, ...]:
        return (self._path,)

    def apply(self, limits: Limits, *, extra_processes: int = 0) -> None:
        write(self._path / "memory.max", str(limits.memory_mib * MIB))
        swap = self._path / "memory.swap.max"
        if swap.exists():
            write(swap, "0")
        write(self._path / "cpu.max", f"{cpu_quota_us(limits.cpu_millicores)} {CFS_PERIOD_US}")
        write(self._path / "pids.max", str(limits.max_processes + extra_processes))

    def reset_peak(self) -> None:
        # Not possible globally on v2 (see the class docstring).
        return

    def pids(self) -> list[int]:
        return read_pids(self._path / "cgroup.procs")

    def _kill_at_once(self) -> bool:
        kill_file = self._path / "cgroup.kill"
        if not kill_file.exists():
            return False
        write(kill_file, "1")
        return True

    def _can_freeze(self) -> bool:
        return True

    def _freeze(self, frozen: bool) -> None:
        write(self._path / "cgroup.freeze", "1" if frozen else "0")

    def _is_frozen(self) -> bool:
        return read_keyed(self._path / "cgroup.events").get("frozen") == 1

    def oom_kills(self) -> int:
        return read_keyed(self._path / "memory.events").get("oom_kill", 0)

    def usage(self) -> CgroupUsage:
        usec = read_keyed(self._path / "cpu.stat").get("usage_usec", 0)
        peak = self._path / "memory.peak"
        return CgroupUsage(
            cpu_time_ns=usec * 1000,
            peak_memory_bytes=read_int(peak) if peak.exists() else 0,
        )
