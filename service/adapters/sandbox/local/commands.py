"""The host command that starts one sandbox: join the cgroup, set rlimits, drop to the
sandbox's own host uid, mount the sandbox's disk, bound its per-user counters, exec bubblewrap.

A tiny `/bin/sh` prelude does the first two in the child itself, so the cgroup holds the
process before bwrap (let alone the script) runs and everything it ever forks is inside;
nothing in the worker has to race the child, and the worker never forks with a `preexec_fn`
(unsafe with threads). The prelude's arguments are our own cgroup paths and numbers, passed
as positional parameters, never spliced into the shell text.

`ulimit -f` counts 512-byte blocks in POSIX shells (dash, bash as sh, busybox); `-n` without
`-H`/`-S` sets both the soft and the hard limit, so the script cannot raise it again. No
address-space limit: it would turn an OOM kill into a MemoryError and the wrong verdict.

If the prelude cannot join the cgroup or set a limit, it kills itself with `PRELUDE_FAILED`
(SIGUSR1): nothing else can end our direct child with that signal (the script cannot see
it), so the backend reports an infrastructure error instead of a script failure.

The inner stage (`inner_argv`) runs in a user and mount namespace of the sandbox's own,
made by `unshare` (nothing of it is visible on the host), before bwrap:

- It mounts the sandbox's one disk: bwrap's own `--tmpfs` has a size but no inode bound, and
  each such mount would be a budget of its own. One tmpfs with both bounds is mounted there,
  with the directories bwrap binds at `/work`, `/tmp` and `/dev/shm` (see `bwrap.py`).
- It mounts the sandbox's own pseudo-terminals (`devpts` with `max=`): bwrap's instance has
  no bound, and every instance but the host's draws on what is left of `kernel.pty.max`.
- It bounds the sandbox's share of per-user kernel counters (queued signals, locked shared
  memory; `prlimit`). The kernel checks the host-level sum against the limit the namespace
  was made with (the host's), and each sandbox's own count against the lower one set here.
  As root, each sandbox has a host uid of its own anyway (`setpriv_argv`, `uids.py`); the
  bound keeps sandboxes apart also where they share one (a worker that is not root).

Every stage execs the next, so the cgroup's process is the same one throughout and
`PRELUDE_FAILED` still tells a failed mount from the script.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from pathlib import Path

from service.adapters.sandbox.local.bwrap import (
    DISK_DIRS,
    DISK_ROOT,
    MAX_PTYS,
    tmpfs_bytes,
    tmpfs_inodes,
)
from service.domain.limits import Limits

PRELUDE_FAILED = signal.SIGUSR1
BLOCK_BYTES = 512
# Per sandbox: queued signals (RLIMIT_SIGPENDING; the host's default is ~threads-max/2, e.g.
# 96363) and bytes of locked memory (RLIMIT_MEMLOCK; 8 MiB by default). Ample for a script,
# and small enough that ~90 concurrent sandboxes together stay under the host's defaults.
MAX_PENDING_SIGNALS = 1024
MAX_LOCKED_BYTES = 64 * 1024

PRELUDE = (
    'while [ "$1" != -- ]; do echo $$ >"$1" || { kill -USR1 $$; exit 125; }; shift; done; '
    "shift; "
    'ulimit -c 0 && ulimit -n "$1" && ulimit -f "$2" || { kill -USR1 $$; exit 125; }; '
    "shift 2; "
    'exec "$@"'
)

# Its parameters: size in bytes, inode count, mount point, pty count, the three directories
# to make. One `mkdir` and no loop: each fork and exec here adds to every cold start.
INNER_PRELUDE = (
    'mount -n -t tmpfs -o "size=$1,nr_inodes=$2,mode=0755" podrun-disk "$3" '
    '&& mkdir "$3/pts" "$3/$5" "$3/$6" "$3/$7" '
    '&& mount -n -t devpts -o "newinstance,ptmxmode=0666,mode=620,max=$4" podrun-pts "$3/pts" '
    "|| { kill -USR1 $$; exit 125; }; "
    "shift 7; "
    'exec "$@"'
)


def host_argv(
    *,
    shell: str,
    procs_files: Sequence[Path],
    max_open_files: int,
    max_file_bytes: int,
    drop_privileges: Sequence[str],
    sandbox: Sequence[str],
) -> list[str]:
    """`sh -c PRELUDE` joining `procs_files`, then `drop_privileges` + `sandbox` (bwrap)."""
    blocks = max(1, max_file_bytes // BLOCK_BYTES)
    return [
        shell,
        "-c",
        PRELUDE,
        "podrun-sandbox",
        *(str(p) for p in procs_files),
        "--",
        str(max_open_files),
        str(blocks),
        *drop_privileges,
        *sandbox,
    ]


def setpriv_argv(setpriv: str, uid: int, gid: int) -> list[str]:
    """Become the sandbox's own unprivileged host uid (with the sandbox user's gid): bwrap
    started by root would map the sandbox's uid to host root."""
    return [
        setpriv,
        f"--reuid={uid}",
        f"--regid={gid}",
        "--clear-groups",
        "--no-new-privs",
        "--",
    ]


def inner_argv(*, unshare: str, shell: str, prlimit: str, limits: Limits) -> list[str]:
    """In new user and mount namespaces: mount the sandbox's one disk (size and inodes from
    `limits`), bound its per-user counters, then exec what follows (bwrap)."""
    return [
        unshare,
        "--user",
        "--mount",
        "--map-user=0",
        "--map-group=0",
        "--",
        shell,
        "-c",
        INNER_PRELUDE,
        "podrun-inner",
        str(tmpfs_bytes(limits)),
        str(tmpfs_inodes(limits)),
        DISK_ROOT,
        str(MAX_PTYS),
        *DISK_DIRS.values(),
        prlimit,
        f"--sigpending={MAX_PENDING_SIGNALS}",
        f"--memlock={MAX_LOCKED_BYTES}",
        "--",
    ]
