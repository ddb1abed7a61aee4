"""Settings of the local backend: which tools, which host user, which cgroup hierarchy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
    # The unprivileged host user that runs bubblewrap (only used when the worker is root).
    sandbox_user: str = "nobody"
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
