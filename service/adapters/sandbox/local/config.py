"""Settings of the local backend: which tools, which host user, which cgroup hierarchy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from service.adapters.sandbox.local.uids import (
    DEFAULT_FIRST_UID,
    DEFAULT_LOCK_FILE,
    DEFAULT_UID_COUNT,
)
from service.domain.runtimes import Runtime

CgroupMode = Literal["auto", "v1", "v2", "none"]


@dataclass(frozen=True, slots=True)
class LocalBackendConfig:
    """How the local backend runs sandboxes on this host.

    `cgroups="auto"` prefers a cgroup v2 hierarchy whose memory, cpu and pids controllers we may
    use, else cgroup v1. When no hierarchy is writable the backend refuses to start unless
    `allow_unlimited` (then sandboxes keep their timeout, output cap and isolation, but have no
    memory, CPU or process limits). `cgroups="none"` chooses that explicitly.
    """

    cgroups: CgroupMode = "auto"
    allow_unlimited: bool = False
    # The unprivileged host user whose gid sandboxes run with, and whose uid the script sees
    # inside its user namespace (only used when the worker is root).
    sandbox_user: str = "nobody"
    # When the worker is root, each sandbox (warm ones included) runs as a host uid of its
    # own from `[sandbox_first_uid, sandbox_first_uid + sandbox_uid_count)` (see uids.py):
    # reserved for sandboxes, no account may have one, at least as many as sandboxes can
    # live at once (running, warm, being torn down). Workers on one host share the range,
    # coordinated through `uid_lock_file`.
    sandbox_first_uid: int = DEFAULT_FIRST_UID
    sandbox_uid_count: int = DEFAULT_UID_COUNT
    uid_lock_file: Path = DEFAULT_LOCK_FILE
    # Each sandbox's cgroup is `<hierarchy>/<cgroup_parent>/<execution>`; may be a nested path
    # such as "system.slice/podrun.service/sandboxes" on a systemd host.
    cgroup_parent: str = "podrun"
    bwrap_path: str = "bwrap"
    setpriv_path: str = "setpriv"
    # util-linux `unshare` and `prlimit`: the namespaces in which each sandbox's disk is
    # mounted, and its share of per-user kernel counters (see commands.py).
    unshare_path: str = "unshare"
    prlimit_path: str = "prlimit"
    shell_path: str = "/bin/sh"
    # Where host interpreters (`python3`, `python3.X`) are looked for; must be under /usr, the
    # only host tree visible in a sandbox.
    interpreter_dir: Path = Path("/usr/bin")
    # Interpreter prefixes beyond /usr, or directories of them (see pythons.py); each is
    # offered once it passes a probe in a sandbox.
    pythons: tuple[Path, ...] = ()
    # Runtimes offered in addition to the discovered interpreters; dropped when their command
    # does not exist on this host.
    extra_runtimes: tuple[Runtime, ...] = ()
    # RLIMIT_NOFILE in the sandbox.
    max_open_files: int = 1024
    hostname: str = "podrun"
    # Sandboxes of the default shape kept started, waiting for a script (0: none).
    warm_sandboxes: int = 2
    # How long launching the sandbox's processes and tearing them down may take.
    kill_timeout_seconds: float = 5.0
