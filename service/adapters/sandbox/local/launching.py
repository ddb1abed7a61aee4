"""Starting one sandbox's processes on this host: its cgroup, its command line, the fork.

`SandboxLauncher` holds what `LocalSandboxBackend.start()` found on the host (`HostTools`: the
tools, the host identity the script runs as, the compiled seccomp filter) and the cgroup
hierarchy. It starts a sandbox in one of two ways, which share every step:

- `start_cold(spec)`: the execution's own sandbox, its script in a memfd;
- `start_warm(template, clock)`: a sandbox of the pool's template whose interpreter waits for
  a script on a pipe (`warmstart.py`); called in a worker thread, so it never touches the
  event loop.

Both make the cgroup through `CgroupHierarchy.create` (`hierarchies.py`), build the command
line with `argv` (`commands.py` for the host prelude and the inner stage, `bwrap.py` for the
sandbox itself) and fork with `spawning.spawn`. Next: the backend wraps the process in a
`LocalSandboxHandle` (`handle.py`); a warm one waits in the pool (`warm.py`) first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.adapters.sandbox.local.bwrap import bwrap_argv
from service.adapters.sandbox.local.cgroups import MIB, CgroupError, CgroupLimits
from service.adapters.sandbox.local.commands import host_argv, inner_argv
from service.adapters.sandbox.local.config import LocalBackendConfig
from service.adapters.sandbox.local.hierarchies import CgroupHierarchy
from service.adapters.sandbox.local.spawning import SandboxProcess, spawn
from service.adapters.sandbox.local.warmstart import warm_command
from service.domain.sandboxes import SandboxSpec

# Tasks of ours inside the cgroup besides the script's: bwrap's monitor and its pid-1 init.
BWRAP_PROCESSES = 2


@dataclass(frozen=True, slots=True)
class HostTools:
    """What the host offers, found once at the backend's start."""

    bwrap: str
    shell: str
    unshare: str
    prlimit: str
    # setpriv's command dropping to the sandbox user (empty when we are not root).
    drop_privileges: tuple[str, ...]
    # The host uid and gid the script runs as (the sandbox user's when we are root).
    uid: int
    gid: int
    disable_userns: bool
    links: tuple[str, ...]
    seccomp: bytes


class SandboxLauncher:
    """Creates the cgroup and forks the host process of one sandbox, cold or warm."""

    def __init__(
        self,
        *,
        tools: HostTools,
        hierarchy: CgroupHierarchy | None,
        config: LocalBackendConfig,
    ) -> None:
        self._tools = tools
        self._hierarchy = hierarchy
        self._config = config

    async def start_cold(self, spec: SandboxSpec) -> tuple[SandboxProcess, CgroupLimits | None]:
        """Start `spec`'s sandbox; raises CgroupError, OSError or ValueError, nothing left."""
        cgroup = self._create_cgroup(spec)
        try:
            process = spawn(
                lambda script_fd, seccomp_fd: self.argv(spec, cgroup, script_fd, seccomp_fd),
                script=spec.script.encode(),
                seccomp=self._tools.seccomp,
                with_stdin=spec.stdin is not None or spec.interactive,
                clock=asyncio.get_running_loop().time,
            )
        except (OSError, ValueError):
            if cgroup is not None:
                with contextlib.suppress(CgroupError):
                    await cgroup.remove(self._config.kill_timeout_seconds)
            raise
        return process, cgroup

    def start_warm(
        self, template: SandboxSpec, clock: Callable[[], float]
    ) -> tuple[SandboxProcess, CgroupLimits | None]:
        """Start a sandbox of `template` waiting for its script (`process.script_fd`); runs in
        a worker thread, so only `clock` of the loop."""
        cgroup = self._create_cgroup(template)
        try:
            process = spawn(
                lambda script_fd, seccomp_fd: self.argv(
                    template,
                    cgroup,
                    None,
                    seccomp_fd,
                    command=warm_command(template.runtime.command, script_fd),
                ),
                script=None,
                seccomp=self._tools.seccomp,
                with_stdin=True,
                clock=clock,
            )
        except BaseException:
            if cgroup is not None:
                with contextlib.suppress(CgroupError):
                    cgroup.remove_now()
            raise
        return process, cgroup

    def argv(
        self,
        spec: SandboxSpec,
        cgroup: CgroupLimits | None,
        script_fd: int | None,
        seccomp_fd: int,
        *,
        command: Sequence[str] | None = None,
    ) -> list[str]:
        """The host command line: prelude (cgroup, rlimits), setpriv, inner stage, bwrap."""
        tools = self._tools
        sandbox = bwrap_argv(
            tools.bwrap,
            spec,
            script_fd=script_fd,
            seccomp_fd=seccomp_fd,
            links=tools.links,
            hostname=self._config.hostname,
            uid=tools.uid,
            gid=tools.gid,
            disable_userns=tools.disable_userns,
            command=command,
        )
        inner = inner_argv(
            unshare=tools.unshare, shell=tools.shell, prlimit=tools.prlimit, limits=spec.limits
        )
        return host_argv(
            shell=tools.shell,
            procs_files=cgroup.procs_files if cgroup is not None else (),
            max_open_files=self._config.max_open_files,
            max_file_bytes=spec.limits.disk_mib * MIB,
            drop_privileges=tools.drop_privileges,
            sandbox=[*inner, *sandbox],
        )

    def _create_cgroup(self, spec: SandboxSpec) -> CgroupLimits | None:
        if self._hierarchy is None:
            return None
        return self._hierarchy.create(
            spec.execution_id, spec.limits, extra_processes=BWRAP_PROCESSES
        )
