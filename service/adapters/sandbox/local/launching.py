"""Starting one sandbox's processes on this host: its cgroup, its command line, the fork.

`SandboxLauncher` holds what `LocalSandboxBackend.start()` found on the host (`HostTools`: the
tools, the host identity the script runs as, the compiled seccomp filter) and the cgroup
hierarchy. It starts a sandbox in one of two ways, which share every step:

- `start_cold(spec)`: the execution's own sandbox, its script in a memfd;
- `start_warm(template, clock)`: a sandbox of the pool's template whose interpreter waits for
  a script on a pipe (`warmstart.py`); called in a worker thread, so it never touches the
  event loop.

Both take the sandbox's own host uid from `SandboxUids` (`uids.py`; when the worker is root),
make the cgroup through `CgroupHierarchy.create` (`hierarchies.py`), build the command
line with `argv` (`commands.py` for the host prelude and the inner stage, `bwrap.py` for the
sandbox itself) and fork with `spawning.spawn`. Next: the backend wraps the process in a
`LocalSandboxHandle` (`handle.py`), which gives the uid back once the sandbox's cgroup is
gone; a warm one waits in the pool (`warm.py`) first. A start that fails gives the uid back
only when no process of it can be left (`give_back`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.adapters.sandbox.local.bwrap import SCRIPT_PATH, bwrap_argv
from service.adapters.sandbox.local.cgroups import MIB, CgroupError, CgroupLimits
from service.adapters.sandbox.local.commands import host_argv, inner_argv, setpriv_argv
from service.adapters.sandbox.local.config import LocalBackendConfig
from service.adapters.sandbox.local.filewrap import WRAPPER_PROCESSES, wrapped
from service.adapters.sandbox.local.hierarchies import CgroupHierarchy
from service.adapters.sandbox.local.spawning import SandboxFds, SandboxProcess, spawn
from service.adapters.sandbox.local.uids import SandboxUids, UidLease
from service.adapters.sandbox.local.warmstart import warm_command
from service.domain.filestreams import encode_files
from service.domain.sandboxes import SandboxSpec

log = logging.getLogger(__name__)

# Tasks of ours inside the cgroup besides the script's: bwrap's monitor and its pid-1 init.
BWRAP_PROCESSES = 2


def uses_wrapper(spec: SandboxSpec, *, warm: bool = False) -> bool:
    """Whether the in-sandbox file shell runs around the script (`filewrap.py`): always in
    a warm sandbox (it cannot know at its start), else when files go in or come out."""
    return warm or bool(spec.files) or spec.collect is not None


def extra_processes(spec: SandboxSpec, *, warm: bool = False) -> int:
    """Processes of ours in the sandbox's cgroup besides the script's."""
    return BWRAP_PROCESSES + (WRAPPER_PROCESSES if uses_wrapper(spec, warm=warm) else 0)


@dataclass(frozen=True, slots=True)
class HostTools:
    """What the host offers, found once at the backend's start."""

    bwrap: str
    shell: str
    unshare: str
    prlimit: str
    # setpriv, which drops each sandbox to its own host uid (None when we are not root).
    setpriv: str | None
    # The uid the script sees in its user namespace, and the host gid it runs as (the sandbox
    # user's when we are root, else ours).
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
        uids: SandboxUids | None,
        config: LocalBackendConfig,
    ) -> None:
        self._tools = tools
        self._hierarchy = hierarchy
        self._uids = uids
        self._config = config

    async def start_cold(self, spec: SandboxSpec) -> tuple[SandboxProcess, CgroupLimits | None]:
        """Start `spec`'s sandbox; raises UidsExhausted, CgroupError, OSError or ValueError,
        nothing left."""
        lease, cgroup = self._identity(spec)
        try:
            process = spawn(
                lambda script_fd, seccomp_fd, fds: self.argv(
                    spec,
                    cgroup,
                    lease,
                    script_fd,
                    seccomp_fd,
                    command=self._command(spec, fds),
                    display_fd=fds.display_fd,
                ),
                script=spec.script.encode(),
                seccomp=self._tools.seccomp,
                with_stdin=spec.stdin is not None or spec.interactive,
                clock=asyncio.get_running_loop().time,
                lease=lease,
                files_in=encode_files(spec.files) if spec.files else None,
                files_out=spec.collect is not None,
            )
        except (OSError, ValueError):
            removed = True
            if cgroup is not None:
                try:
                    await cgroup.remove(self._config.kill_timeout_seconds)
                except CgroupError:
                    removed = False
            give_back(lease, cgroup_removed=removed if cgroup is not None else None)
            raise
        return process, cgroup

    def start_warm(
        self, template: SandboxSpec, clock: Callable[[], float]
    ) -> tuple[SandboxProcess, CgroupLimits | None]:
        """Start a sandbox of `template` waiting for its script (`process.script_fd`); runs in
        a worker thread, so only `clock` of the loop."""
        lease, cgroup = self._identity(template, warm=True)
        try:
            process = spawn(
                lambda script_fd, seccomp_fd, fds: self.argv(
                    template,
                    cgroup,
                    lease,
                    None,
                    seccomp_fd,
                    command=wrapped(
                        warm_command(template.runtime.command, script_fd),
                        interpreter=template.runtime.command[0],
                        in_fd=None,
                        out_fd=fds.out_fd,
                        collect=template.collect,
                        inherited=(script_fd, fds.display_fd),
                    ),
                    display_fd=fds.display_fd,
                ),
                script=None,
                seccomp=self._tools.seccomp,
                with_stdin=True,
                clock=clock,
                lease=lease,
                files_out=template.collect is not None,
            )
        except BaseException:
            removed = True
            if cgroup is not None:
                try:
                    cgroup.remove_now()
                except CgroupError:
                    removed = False
            give_back(lease, cgroup_removed=removed if cgroup is not None else None)
            raise
        return process, cgroup

    def argv(
        self,
        spec: SandboxSpec,
        cgroup: CgroupLimits | None,
        lease: UidLease | None,
        script_fd: int | None,
        seccomp_fd: int,
        *,
        command: Sequence[str] | None = None,
        display_fd: int | None = None,
    ) -> list[str]:
        """The host command line: prelude (cgroup, rlimits), setpriv to the lease's uid,
        inner stage, bwrap."""
        tools = self._tools
        drop_privileges: list[str] = []
        if tools.setpriv is not None:
            if lease is None:
                raise ValueError("a sandbox started by root needs a uid of its own")
            drop_privileges = setpriv_argv(tools.setpriv, lease.uid, tools.gid)
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
            display_fd=display_fd,
        )
        inner = inner_argv(
            unshare=tools.unshare, shell=tools.shell, prlimit=tools.prlimit, limits=spec.limits
        )
        return host_argv(
            shell=tools.shell,
            procs_files=cgroup.procs_files if cgroup is not None else (),
            max_open_files=self._config.max_open_files,
            max_file_bytes=spec.limits.disk_mib * MIB,
            drop_privileges=drop_privileges,
            sandbox=[*inner, *sandbox],
        )

    @staticmethod
    def _command(spec: SandboxSpec, fds: SandboxFds) -> list[str]:
        """What bwrap runs in a cold sandbox: the script, in the file shell when needed."""
        script = [*spec.runtime.command, SCRIPT_PATH, *spec.argv]
        if not uses_wrapper(spec):
            return script
        return wrapped(
            script,
            interpreter=spec.runtime.command[0],
            in_fd=fds.in_fd,
            out_fd=fds.out_fd,
            collect=spec.collect,
            inherited=(fds.display_fd,),
        )

    def _identity(
        self, spec: SandboxSpec, *, warm: bool = False
    ) -> tuple[UidLease | None, CgroupLimits | None]:
        """The sandbox's own uid and its new cgroup (no process in it yet)."""
        lease = self._uids.lease() if self._uids is not None else None
        if self._hierarchy is None:
            return lease, None
        try:
            cgroup = self._hierarchy.create(
                spec.execution_id, spec.limits, extra_processes=extra_processes(spec, warm=warm)
            )
        except BaseException:
            if lease is not None:
                lease.release()  # nothing ever ran as it
            raise
        return lease, cgroup


def give_back(lease: UidLease | None, *, cgroup_removed: bool | None) -> None:
    """Hand a sandbox's uid back once its processes are gone: its cgroup was removed (the
    kernel refuses while a live task is in it), or it had none (`None`); the uid is freed
    when no process has it any more, dead ones waiting for their parent included (see
    uids.py). Else (`False`) the uid stays taken until the worker exits."""
    if lease is None:
        return
    if cgroup_removed is False:
        log.warning("sandbox uid %d may still have processes; it is not reused", lease.uid)
        return
    lease.drain(thorough=cgroup_removed is None)
