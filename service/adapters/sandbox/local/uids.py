"""A host uid of its own for every sandbox, from a reserved range.

The kernel keeps several counters per host uid (`user_struct` / ucounts): pipe buffer pages
(`fs.pipe-user-pages-soft`), epoll watches (`fs.epoll.max_user_watches`), queued signals
(`RLIMIT_SIGPENDING`), locked memory (`RLIMIT_MEMLOCK`), processes (`RLIMIT_NPROC`), inotify
instances, user namespaces. Sandboxes that share a uid share those counters, so one could
exhaust them for the others; each sandbox, cold or warm, therefore runs as a uid nobody else
uses while it lives (`setpriv --reuid`, see `commands.setpriv_argv`). Inside, the script still
sees the sandbox user's uid: it is a number of its user namespace, mapped to the lease's.

`SandboxUids` hands out leases from `[first, first + count)`. A lease is taken at launch (for
a warm sandbox: when it is started, ahead of demand) and freed only once no process of that
uid is left, so no leftover can hold the uid's counters when the next sandbox gets it:

1. the sandbox's cgroup was removed, which the kernel refuses while a live task is in it
   (a lease whose cgroup cannot be removed — processes that survived SIGKILL — stays taken
   until the worker exits);
2. then the lease *drains*: dead tasks are no longer in the cgroup but still hold their
   uid's process count and queued signals until their parent reaps them. bwrap's monitor
   may exit before the sandbox's pid 1, which is then reaped by the host's init, whenever
   that gets to it. `recheck()` (the backend calls it a few times a second, in a thread,
   while leases drain) frees a draining uid once no entry of /proc belongs to it — a
   directory's owner is its process's uid, also for a zombie. Without cgroups, where a
   live process could remain, the real, effective and saved uid of every process count.

Several workers may share one host: every lease is also an OFD lock on one byte of a lock
file (`lock_file`, offset = uid - first), held by this process's open file, so two workers
never hold the same uid, and a worker's leases end with it. A worker starting after one
died drains the uids that still have processes before it uses them. The next uid is looked for after
the last one taken (round robin), so a uid given back is the last to be taken again.

Next: `launching.py` takes a lease for each sandbox it starts; `handle.py` gives it back.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import secrets
import struct
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# Reserved in no distribution: systemd leaves 0x70000000-0x7FFDFFFF unassigned (its container
# ranges end below, its foreign range starts above), and it is below 2^31 (signed uid bugs).
DEFAULT_FIRST_UID = 0x70000000
DEFAULT_UID_COUNT = 65536
DEFAULT_LOCK_FILE = Path("/run/podrun/sandbox-uids.lock")
_HIGHEST_UID = 2**31 - 1


class UidsExhausted(Exception):
    """Every uid of the range is in use (here or by another worker on this host)."""


class UidRangeInvalid(ValueError):
    """The configured range is unusable; the message says why."""


class UidLease:
    """One sandbox's host uid, until `release()` (idempotent)."""

    __slots__ = ("_owner", "_released", "uid")

    def __init__(self, owner: SandboxUids, uid: int) -> None:
        self._owner = owner
        self.uid = uid
        self._released = False

    def __repr__(self) -> str:
        return f"UidLease({self.uid})"

    def release(self) -> None:
        """Free the uid now: for a lease no process ever ran as."""
        if not self._released:
            self._released = True
            self._owner._release(self.uid)

    def drain(self, *, thorough: bool = False) -> None:
        """Free the uid once no process has it (`thorough`: counting live ones too)."""
        if not self._released:
            self._released = True
            self._owner._drain(self.uid, thorough)


class SandboxUids:
    """Leases of host uids from `[first, first + count)`; thread-safe (warm sandboxes are
    started in worker threads)."""

    def __init__(self, first: int, count: int, lock_file: Path) -> None:
        check_range(first, count)
        self._first = first
        self._count = count
        self._lock_file = lock_file
        self._fd: int | None = None
        self._in_use: set[int] = set()
        # Given back, freed once no process has them; value: whether live ones may remain.
        self._draining: dict[int, bool] = {}
        self._lock = threading.Lock()
        # Several workers start at different places, so they rarely even try the same uid.
        self._next = secrets.randbelow(count)

    @property
    def in_use(self) -> int:
        """Uids taken, draining ones included."""
        return len(self._in_use)

    @property
    def draining(self) -> int:
        return len(self._draining)

    def recheck(self, proc: Path = Path("/proc")) -> int:
        """Free the draining uids no process has any more (one scan of `proc`; it reads
        every process's status only when a lease drains without a cgroup); how many."""
        with self._lock:
            draining = dict(self._draining)
        if not draining:
            return 0
        busy = process_uids(proc, thorough=any(draining.values()))
        freed = 0
        for uid in draining:
            if uid not in busy:
                with self._lock:
                    self._draining.pop(uid, None)
                self._release(uid)
                freed += 1
        return freed

    def open(self, proc: Path = Path("/proc")) -> None:
        """Open (creating) the lock file shared by the workers of this host, and treat the
        uids that still have processes, of a worker that died and is no longer holding their
        locks, as draining: its sandboxes die with it, but not all in the same instant."""
        self._lock_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        leftovers = process_uids(proc, thorough=True)
        with self._lock:
            for uid in sorted(leftovers):
                offset = uid - self._first
                if 0 <= offset < self._count and self._try_lock(offset):
                    self._in_use.add(uid)
                    self._draining[uid] = True
        if self._draining:
            log.info(
                "%d sandbox uids still have processes; not reused before they end",
                len(self._draining),
            )

    def close(self) -> None:
        """Close the lock file, unless a lease could not be given back: its lock must last
        as long as this process."""
        with self._lock:
            if self._fd is not None and not self._in_use:
                os.close(self._fd)
                self._fd = None

    def lease(self) -> UidLease:
        """A uid no sandbox (of any worker on this host) uses now; raises UidsExhausted."""
        with self._lock:
            if self._fd is None:
                raise UidsExhausted("the sandbox uid range is not open")
            for step in range(self._count):
                offset = (self._next + step) % self._count
                uid = self._first + offset
                if uid in self._in_use or not self._try_lock(offset):
                    continue
                self._in_use.add(uid)
                self._next = (offset + 1) % self._count
                return UidLease(self, uid)
        raise UidsExhausted(
            f"all {self._count} sandbox uids from {self._first} are in use; raise "
            "PODRUN_LOCAL_SANDBOX_UID_COUNT"
        )

    def _drain(self, uid: int, thorough: bool) -> None:
        with self._lock:
            if uid in self._in_use:
                self._draining[uid] = thorough

    def _release(self, uid: int) -> None:
        with self._lock:
            if uid not in self._in_use:
                return
            self._in_use.discard(uid)
            if self._fd is not None:
                self._set_lock(uid - self._first, fcntl.F_UNLCK)

    def _try_lock(self, offset: int) -> bool:
        try:
            self._set_lock(offset, fcntl.F_WRLCK)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES):
                return False  # another worker's sandbox has it
            raise
        return True

    def _set_lock(self, offset: int, kind: int) -> None:
        assert self._fd is not None
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks).
        request = struct.pack("hhxxxxqqi4x", kind, os.SEEK_SET, offset, 1, 0)
        fcntl.fcntl(self._fd, fcntl.F_OFD_SETLK, request)


def check_range(first: int, count: int) -> None:
    """Refuse a range that includes root, the `nobody` uids, or a uid the kernel rejects."""
    if count < 1:
        raise UidRangeInvalid(f"the sandbox uid range must hold at least one uid, not {count}")
    last = first + count - 1
    if first <= 65535 or last > _HIGHEST_UID:
        raise UidRangeInvalid(
            f"sandbox uids {first}-{last} must lie between 65536 and {_HIGHEST_UID} (above "
            "every regular and system user, below the uids some tools read as negative)"
        )


def users_in_range(first: int, count: int) -> list[str]:
    """Accounts of the user database whose uid falls in the range (it must be unused)."""
    import pwd

    return [e.pw_name for e in pwd.getpwall() if first <= e.pw_uid < first + count]


def process_uids(proc: Path = Path("/proc"), *, thorough: bool = False) -> set[int]:
    """The uids host processes run as: each /proc entry's owner (its process's effective
    uid, a zombie's too; root for a live process that made itself undumpable), or with
    `thorough` the real, effective and saved uid of each (slower: a read per process)."""
    found: set[int] = set()
    with os.scandir(proc) as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError):
                if not thorough:
                    found.add(entry.stat().st_uid)
                    continue
                with open(os.path.join(entry.path, "status"), encoding="ascii") as status:
                    for line in status:
                        if line.startswith("Uid:"):
                            found.update(int(field) for field in line.split()[1:4])
                            break
    return found


def uid_has_processes(uid: int, proc: Path = Path("/proc")) -> bool:
    """Whether any host process has `uid` as its real, effective or saved uid."""
    return uid in process_uids(proc, thorough=True)
