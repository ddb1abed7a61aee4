"""One execution's cgroup: its limits, its kill switch, its counters.

`CgroupLimits` is the small interface the backend uses; `CgroupV1Limits` and `CgroupV2Limits`
implement it on the two kernel interfaces. All of it is plain file I/O on cgroupfs (each write
is a few microseconds), so nothing here starts a process. The waits (a freeze taking effect,
killed processes leaving) poll with short sleeps and are bounded.

The sandbox's processes join the cgroup themselves (the launch command writes its own pid to
every `procs_files` entry before it execs bubblewrap), so everything the script ever starts is
in it: killing the cgroup kills the whole tree, double-forked daemons included.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import errno
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from service.domain.limits import Limits

MIB = 1024 * 1024
CFS_PERIOD_US = 100_000
# Polls start fast (a freeze or a SIGKILLed exit usually takes well under a millisecond) and
# back off to this.
_POLL_MAX_SECONDS = 0.005


class CgroupError(Exception):
    """A cgroup could not be created, limited or removed."""


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

    @abc.abstractmethod
    def create(self) -> None:
        """Make the cgroup's directories; raise CgroupError when that fails."""

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
    async def kill(self, timeout: float) -> None:
        """SIGKILL every process in the cgroup and wait until it is empty."""

    @abc.abstractmethod
    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer killed in this cgroup."""

    @abc.abstractmethod
    def usage(self) -> CgroupUsage:
        """CPU time and peak memory of all processes that ran in the cgroup."""

    async def remove(self, timeout: float) -> None:
        """Remove the (empty) cgroup, retrying while the kernel still tears processes down."""
        deadline = time.monotonic() + timeout
        for path in self._own_dirs():
            await _rmdir(path, deadline)

    def remove_now(self) -> None:
        """Remove the cgroup at once, without waiting: for one no process ever joined."""
        for path in self._own_dirs():
            try:
                path.rmdir()
            except FileNotFoundError:
                continue
            except OSError as error:
                raise CgroupError(f"cannot remove cgroup {path}: {error.strerror}") from error

    @abc.abstractmethod
    def _own_dirs(self) -> tuple[Path, ...]:
        """The directories `create` made."""

    async def _wait_empty(self, deadline: float) -> None:
        attempt = 0
        while self.pids():
            if time.monotonic() > deadline:
                raise CgroupError(f"processes {self.pids()} survived SIGKILL in {self}")
            attempt = await _pause(attempt)

    async def _kill_repeatedly(self, deadline: float) -> None:
        """Without a freezer: kill what is listed until nothing is; forks in between are
        caught by the next round (and pids.max bounds how many there can be)."""
        attempt = 0
        while pids := self.pids():
            for pid in pids:
                _sigkill_member(pid, self._leaf)
            if time.monotonic() > deadline:
                raise CgroupError(f"processes {pids} survived SIGKILL in {self}")
            attempt = await _pause(attempt)


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

    def create(self) -> None:
        made: list[Path] = []
        try:
            for path in self._unique:
                path.mkdir()
                made.append(path)
        except OSError as error:
            for path in reversed(made):
                with contextlib.suppress(OSError):
                    path.rmdir()
            raise CgroupError(f"cannot create cgroup {path}: {error.strerror}") from error

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
                if limit > _read_int(files[0]):
                    files.reverse()
            for path in files:
                _write(path, str(limit))
        cpu = self._dirs.get("cpu")
        if cpu is not None:
            _write(cpu / "cpu.cfs_period_us", str(CFS_PERIOD_US))
            _write(cpu / "cpu.cfs_quota_us", str(cpu_quota_us(limits.cpu_millicores)))
        pids = self._dirs.get("pids")
        if pids is not None:
            _write(pids / "pids.max", str(limits.max_processes + extra_processes))

    def reset_peak(self) -> None:
        memory = self._dirs.get("memory")
        if memory is not None:
            _write(memory / "memory.max_usage_in_bytes", "0")

    def pids(self) -> list[int]:
        return _read_pids(self._tasks_dir / "cgroup.procs")

    @property
    def _tasks_dir(self) -> Path:
        return self._dirs.get("freezer") or self._dirs.get("pids") or self._dirs["memory"]

    async def kill(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        freezer = self._dirs.get("freezer")
        if freezer is None:
            await self._kill_repeatedly(deadline)
            return
        if not self.pids():
            return
        state = freezer / "freezer.state"
        _write(state, "FROZEN")
        try:
            # Freezing is asynchronous; a frozen cgroup cannot fork, and its pids cannot be
            # reused while we signal them (they cannot even exit).
            attempt = 0
            while _read(state) != "FROZEN" and time.monotonic() < deadline:
                attempt = await _pause(attempt)
            for pid in self.pids():
                _sigkill_member(pid, self._leaf)
        finally:
            _write(state, "THAWED")
        await self._kill_repeatedly(deadline)

    def oom_kills(self) -> int:
        memory = self._dirs.get("memory")
        if memory is None:
            return 0
        return _read_keyed(memory / "memory.oom_control").get("oom_kill", 0)

    def usage(self) -> CgroupUsage:
        cpuacct = self._dirs.get("cpuacct")
        memory = self._dirs.get("memory")
        return CgroupUsage(
            cpu_time_ns=_read_int(cpuacct / "cpuacct.usage") if cpuacct else 0,
            peak_memory_bytes=_read_int(memory / "memory.max_usage_in_bytes") if memory else 0,
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

    def create(self) -> None:
        try:
            self._path.mkdir()
        except OSError as error:
            raise CgroupError(f"cannot create cgroup {self._path}: {error.strerror}") from error

    def apply(self, limits: Limits, *, extra_processes: int = 0) -> None:
        _write(self._path / "memory.max", str(limits.memory_mib * MIB))
        swap = self._path / "memory.swap.max"
        if swap.exists():
            _write(swap, "0")
        _write(self._path / "cpu.max", f"{cpu_quota_us(limits.cpu_millicores)} {CFS_PERIOD_US}")
        _write(self._path / "pids.max", str(limits.max_processes + extra_processes))

    def reset_peak(self) -> None:
        # Not possible globally on v2 (see the class docstring).
        return

    def pids(self) -> list[int]:
        return _read_pids(self._path / "cgroup.procs")

    async def kill(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        kill_file = self._path / "cgroup.kill"
        if kill_file.exists():
            _write(kill_file, "1")
            await self._wait_empty(deadline)
            return
        if not self.pids():
            return
        freeze = self._path / "cgroup.freeze"
        _write(freeze, "1")
        try:
            events = self._path / "cgroup.events"
            attempt = 0
            while (_read_keyed(events).get("frozen") != 1) and time.monotonic() < deadline:
                attempt = await _pause(attempt)
            for pid in self.pids():
                _sigkill_member(pid, self._leaf)
        finally:
            _write(freeze, "0")
        await self._kill_repeatedly(deadline)

    def oom_kills(self) -> int:
        return _read_keyed(self._path / "memory.events").get("oom_kill", 0)

    def usage(self) -> CgroupUsage:
        usec = _read_keyed(self._path / "cpu.stat").get("usage_usec", 0)
        peak = self._path / "memory.peak"
        return CgroupUsage(
            cpu_time_ns=usec * 1000,
            peak_memory_bytes=_read_int(peak) if peak.exists() else 0,
        )


def _write(path: Path, value: str) -> None:
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


def _read(path: Path) -> str:
    return path.read_text().strip()


def _read_int(path: Path) -> int:
    try:
        return int(_read(path))
    except (OSError, ValueError):
        return 0


def _read_keyed(path: Path) -> dict[str, int]:
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


def _read_pids(path: Path) -> list[int]:
    try:
        return [int(line) for line in path.read_text().split()]
    except FileNotFoundError:
        return []


def _sigkill_member(pid: int, leaf: str) -> None:
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


async def _pause(attempt: int) -> int:
    await asyncio.sleep(min(_POLL_MAX_SECONDS, 0.0001 * 2**attempt))
    return attempt + 1


async def _rmdir(path: Path, deadline: float) -> None:
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
            attempt = await _pause(attempt)
        else:
            return
