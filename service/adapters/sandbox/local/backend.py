"""The local sandbox backend: bubblewrap sandboxes under per-execution cgroups on this host.

`start()` checks the host once (bubblewrap, setpriv, the sandbox user, user namespaces,
pidfds, a writable cgroup hierarchy, libseccomp, interpreters), compiles the seccomp filter,
and runs one test sandbox end to end, so a broken host fails at start with a clear message
rather than at the first execution. `launch()` then does only the per-sandbox work: create
and limit a cgroup (file writes), put the script and the filter in memfds, fork one process;
or, when a warm sandbox of the right shape is waiting (`warm.py`), write the execution's
limits to its cgroup and its script to its pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import re
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from service.adapters.sandbox.local.bwrap import bwrap_argv, root_links
from service.adapters.sandbox.local.cgroups import MIB, CgroupError, CgroupLimits
from service.adapters.sandbox.local.commands import host_argv, inner_argv, setpriv_argv
from service.adapters.sandbox.local.config import LocalBackendConfig
from service.adapters.sandbox.local.handle import LocalSandboxHandle
from service.adapters.sandbox.local.hierarchies import (
    CgroupHierarchy,
    CgroupUnavailable,
    find_hierarchy,
)
from service.adapters.sandbox.local.pipes import PipeWriter
from service.adapters.sandbox.local.prerequisites import (
    bwrap_version,
    check_pidfd,
    find_sandbox_user,
    find_tool,
    user_namespace_problem,
)
from service.adapters.sandbox.local.runtimes import VISIBLE_ROOT, discover_runtimes
from service.adapters.sandbox.local.seccomp import SeccompUnavailable, build_filter
from service.adapters.sandbox.local.spawning import SandboxProcess, spawn
from service.adapters.sandbox.local.warm import WarmPool, WarmSandbox
from service.adapters.sandbox.local.warmstart import handover, warm_command
from service.domain.limits import Limits
from service.domain.runtimes import Runtime
from service.domain.sandboxes import (
    OutputStream,
    SandboxFinished,
    SandboxOutput,
    SandboxSpec,
)
from service.services.ports.sandbox import (
    BackendCapabilities,
    BackendUnavailable,
    SandboxLaunchError,
)

log = logging.getLogger(__name__)

# Tasks of ours inside the cgroup besides the script's: bwrap's monitor and its pid-1 init.
BWRAP_PROCESSES = 2
_UNLIMITED_HINT = "set PODRUN_LOCAL_ALLOW_UNLIMITED=true to run sandboxes without limits"
_SELF_TEST_SECONDS = 15.0


class LocalSandboxBackend:
    """Runs each sandbox as bwrap under its own cgroup (implements `SandboxBackend`)."""

    def __init__(self, config: LocalBackendConfig | None = None) -> None:
        self._config = config or LocalBackendConfig()
        self._started = False
        self._bwrap = ""
        self._shell = ""
        self._unshare = ""
        self._prlimit = ""
        self._drop_privileges: list[str] = []
        # The host uid and gid the script runs as (the sandbox user's when we are root).
        self._identity = (os.getuid(), os.getgid())
        self._disable_userns = True
        self._links: tuple[str, ...] = ()
        self._seccomp = b""
        self._hierarchy: CgroupHierarchy | None = None
        self._runtimes: list[Runtime] = []
        self._handles: set[LocalSandboxHandle] = set()
        self._pool: WarmPool | None = None
        self._warm_launches = 0

    @property
    def name(self) -> str:
        return "local"

    @property
    def capabilities(self) -> BackendCapabilities:
        # Sandboxes are children of the worker and die with it; each worker launches its own.
        return BackendCapabilities(sandboxes_outlive_worker=False, needs_leader=False)

    @property
    def cgroup_version(self) -> str | None:
        """ "v1", "v2", or None when sandboxes run without cgroup limits."""
        return None if self._hierarchy is None else self._hierarchy.version

    async def start(self) -> None:
        config = self._config
        self._bwrap = find_tool(
            config.bwrap_path,
            "bubblewrap (bwrap)",
            "install bubblewrap: apt-get install bubblewrap",
        )
        self._shell = find_tool(config.shell_path, "a POSIX shell", "install dash or bash")
        self._unshare = find_tool(
            config.unshare_path, "unshare", "install util-linux: apt-get install util-linux"
        )
        self._prlimit = find_tool(
            config.prlimit_path, "prlimit", "install util-linux: apt-get install util-linux"
        )
        if os.geteuid() == 0:
            setpriv = find_tool(
                config.setpriv_path, "setpriv", "install util-linux: apt-get install util-linux"
            )
            user = find_sandbox_user(config.sandbox_user)
            self._drop_privileges = setpriv_argv(setpriv, user.uid, user.gid)
            self._identity = (user.uid, user.gid)
        problem = user_namespace_problem()
        if problem is not None:
            raise BackendUnavailable(f"bubblewrap needs user namespaces: {problem}")
        check_pidfd()
        self._disable_userns = await bwrap_version(self._bwrap) >= (0, 8)
        self._links = root_links()
        try:
            self._seccomp = build_filter()
        except SeccompUnavailable as error:
            raise BackendUnavailable(str(error)) from error
        self._hierarchy = self._find_hierarchy()
        self._runtimes = await discover_runtimes(config.interpreter_dir, config.extra_runtimes)
        if not any(r.default for r in self._runtimes):
            raise BackendUnavailable(
                f"no python3 interpreter under {config.interpreter_dir}: apt-get install python3"
            )
        self._started = True
        try:
            await self._self_test()
        except BackendUnavailable:
            self._started = False
            raise
        await self._start_pool()
        log.info(
            "local sandbox backend ready: %s; runtimes %s",
            "no cgroup limits" if self._hierarchy is None else self._hierarchy.describe(),
            ", ".join(f"{r.id} ({r.version})" for r in self._runtimes),
        )

    @property
    def warm_ready(self) -> int:
        """Warm sandboxes waiting for a script now."""
        return 0 if self._pool is None else self._pool.ready

    @property
    def warm_launches(self) -> int:
        """Executions given to a warm sandbox since the start."""
        return self._warm_launches

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        handles = list(self._handles)
        await asyncio.gather(*(h.shutdown() for h in handles), return_exceptions=True)
        self._started = False

    def runtimes(self) -> list[Runtime]:
        return list(self._runtimes)

    async def reattach(self, execution_id: str) -> LocalSandboxHandle | None:
        # Sandboxes die with their worker (--die-with-parent): nothing to find again.
        return None

    async def launch(self, spec: SandboxSpec) -> LocalSandboxHandle:
        if not self._started:
            raise SandboxLaunchError("the local sandbox backend is not started")
        self._check_runtime(spec.runtime)
        warm = self._pool.take(spec) if self._pool is not None else None
        if warm is not None:
            handle = self._hand_over(warm, spec)
            if handle is not None:
                return handle
        cgroup: CgroupLimits | None = None
        try:
            if self._hierarchy is not None:
                cgroup = self._hierarchy.new(_cgroup_name(spec.execution_id))
                cgroup.create()
                cgroup.apply(spec.limits, extra_processes=BWRAP_PROCESSES)
            process = spawn(
                lambda script_fd, seccomp_fd: self._argv(spec, cgroup, script_fd, seccomp_fd),
                script=spec.script.encode(),
                seccomp=self._seccomp,
                with_stdin=spec.stdin is not None or spec.interactive,
                clock=asyncio.get_running_loop().time,
            )
        except (CgroupError, OSError, ValueError) as error:
            if cgroup is not None:
                with contextlib.suppress(CgroupError):
                    await cgroup.remove(self._config.kill_timeout_seconds)
            raise SandboxLaunchError(f"cannot start the sandbox: {error}") from error
        return self._track(spec, process, cgroup)

    def _track(
        self,
        spec: SandboxSpec,
        process: SandboxProcess,
        cgroup: CgroupLimits | None,
        *,
        cpu_baseline_ns: int = 0,
        script: PipeWriter | None = None,
    ) -> LocalSandboxHandle:
        handle = LocalSandboxHandle(
            spec,
            process,
            cgroup,
            kill_timeout=self._config.kill_timeout_seconds,
            on_done=self._handles.discard,
            cpu_baseline_ns=cpu_baseline_ns,
            script=script,
        )
        self._handles.add(handle)
        return handle

    # Warm sandboxes.

    async def _start_pool(self) -> None:
        size = self._config.warm_sandboxes
        if size <= 0:
            return
        runtime = next(r for r in self._runtimes if r.default)
        template = SandboxSpec(
            execution_id="warm", runtime=runtime, script="", limits=Limits(), env={}
        )
        loop = asyncio.get_running_loop()
        pool = WarmPool(
            template,
            size,
            start=lambda spec: self._start_warm(spec, loop.time),
            discard=self._discard_warm,
        )
        pool.fill()
        self._pool = pool
        # What only a real hand-over can tell (the waiting program on this interpreter).
        try:
            await self._self_test()
        except BackendUnavailable as error:
            log.warning("warm sandboxes disabled: %s", error)
            self._pool = None
            await pool.close()

    def _start_warm(self, template: SandboxSpec, clock: Callable[[], float]) -> WarmSandbox:
        """Start one warm sandbox; runs in a worker thread, so only `clock` of the loop."""
        cgroup: CgroupLimits | None = None
        try:
            if self._hierarchy is not None:
                cgroup = self._hierarchy.new(_cgroup_name(template.execution_id))
                cgroup.create()
                cgroup.apply(template.limits, extra_processes=BWRAP_PROCESSES)
            process = spawn(
                lambda script_fd, seccomp_fd: self._argv(
                    template,
                    cgroup,
                    None,
                    seccomp_fd,
                    command=warm_command(template.runtime.command, script_fd),
                ),
                script=None,
                seccomp=self._seccomp,
                with_stdin=True,
                clock=clock,
            )
        except BaseException:
            if cgroup is not None:
                with contextlib.suppress(CgroupError):
                    cgroup.remove_now()
            raise
        return WarmSandbox(process, cgroup, template)

    def _hand_over(self, warm: WarmSandbox, spec: SandboxSpec) -> LocalSandboxHandle | None:
        """Give `spec` to a warm sandbox: its limits, then its script. None when its cgroup
        refuses the limits (e.g. a memory limit below what it already uses)."""
        process, cgroup = warm.process, warm.cgroup
        assert process.script_fd is not None
        try:
            payload = handover(spec.env, spec.script.encode())
        except ValueError as error:
            # The cold path reports it as a launch error, with nothing started.
            log.info("a warm sandbox cannot take %s (%s)", spec.execution_id, error)
            self._pool_discard(warm)
            return None
        baseline = 0
        try:
            if cgroup is not None:
                cgroup.apply(spec.limits, extra_processes=BWRAP_PROCESSES)
                cgroup.reset_peak()
                baseline = cgroup.usage().cpu_time_ns
        except CgroupError as error:
            log.info("a warm sandbox cannot take %s (%s); starting one", spec.execution_id, error)
            self._pool_discard(warm)
            return None
        loop = asyncio.get_running_loop()
        script = PipeWriter(loop, process.script_fd)
        script.write(payload)
        script.close()
        started = dataclasses.replace(process, spawned_at=loop.time(), script_fd=None)
        self._warm_launches += 1
        return self._track(spec, started, cgroup, cpu_baseline_ns=baseline, script=script)

    def _pool_discard(self, warm: WarmSandbox) -> None:
        if self._pool is not None:
            self._pool.discard(warm)

    async def _discard_warm(self, warm: WarmSandbox) -> None:
        """Stop a warm sandbox nobody will use, and remove its cgroup."""
        if warm.process.script_fd is not None:
            with contextlib.suppress(OSError):
                os.close(warm.process.script_fd)
        # A handle kills the process tree and removes the cgroup like any sandbox's end.
        await self._track(warm.spec, warm.process, warm.cgroup).shutdown()

    def _argv(
        self,
        spec: SandboxSpec,
        cgroup: CgroupLimits | None,
        script_fd: int | None,
        seccomp_fd: int,
        *,
        command: Sequence[str] | None = None,
    ) -> list[str]:
        sandbox = bwrap_argv(
            self._bwrap,
            spec,
            script_fd=script_fd,
            seccomp_fd=seccomp_fd,
            links=self._links,
            hostname=self._config.hostname,
            uid=self._identity[0],
            gid=self._identity[1],
            disable_userns=self._disable_userns,
            command=command,
        )
        inner = inner_argv(
            unshare=self._unshare, shell=self._shell, prlimit=self._prlimit, limits=spec.limits
        )
        return host_argv(
            shell=self._shell,
            procs_files=cgroup.procs_files if cgroup is not None else (),
            max_open_files=self._config.max_open_files,
            max_file_bytes=spec.limits.disk_mib * MIB,
            drop_privileges=self._drop_privileges,
            sandbox=[*inner, *sandbox],
        )

    def _check_runtime(self, runtime: Runtime) -> None:
        if not runtime.command:
            raise SandboxLaunchError(f"runtime {runtime.id!r} has no command")
        path = Path(runtime.command[0])
        if not path.is_absolute() or not path.is_relative_to(VISIBLE_ROOT) or not path.exists():
            raise SandboxLaunchError(
                f"runtime {runtime.id!r} ({path}) is not an interpreter under {VISIBLE_ROOT} "
                "on this host"
            )

    def _find_hierarchy(self) -> CgroupHierarchy | None:
        config = self._config
        if config.cgroups == "none":
            log.warning(
                "local sandboxes run WITHOUT memory, CPU and process limits "
                "(cgroups disabled by configuration)"
            )
            return None
        try:
            return find_hierarchy(config.cgroups, config.cgroup_parent)
        except CgroupUnavailable as error:
            if not config.allow_unlimited:
                raise BackendUnavailable(
                    f"no writable cgroup hierarchy for sandbox limits ({error}); run the worker "
                    "as root on a host with cgroup v2 (memory, cpu, pids) or cgroup v1 "
                    f"controllers, or {_UNLIMITED_HINT}"
                ) from error
            log.warning("local sandboxes run WITHOUT memory, CPU and process limits: %s", error)
            return None

    async def _self_test(self) -> None:
        """One sandbox end to end, so that what only bwrap can tell fails `start()`."""
        runtime = next(r for r in self._runtimes if r.default)
        spec = SandboxSpec(
            execution_id="podrun-self-test",
            runtime=runtime,
            script="print('ok')",
            limits=Limits(timeout_seconds=_SELF_TEST_SECONDS),
        )
        try:
            handle = await self.launch(spec)
        except SandboxLaunchError as error:
            raise BackendUnavailable(f"cannot start a test sandbox: {error}") from error
        output = {stream: bytearray() for stream in OutputStream}
        outcome = None
        async for observation in handle.observations():
            if isinstance(observation, SandboxOutput):
                output[observation.stream] += observation.data
            elif isinstance(observation, SandboxFinished):
                outcome = observation.outcome
        if outcome is None or outcome.exit_code != 0 or output[OutputStream.STDOUT] != b"ok\n":
            stderr = bytes(output[OutputStream.STDERR]).decode(errors="replace").strip()
            detail = (outcome.error if outcome is not None and outcome.error else None) or stderr
            raise BackendUnavailable(
                f"a test sandbox failed: {detail or 'no error output'} ({outcome}). Check that "
                "bubblewrap can create user namespaces as the sandbox user (try: setpriv "
                f"--reuid={self._config.sandbox_user} --regid=nogroup --clear-groups "
                "bwrap --unshare-all --ro-bind /usr /usr --symlink usr/lib64 /lib64 true)"
            )


def _cgroup_name(execution_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", execution_id)[:64]
    # Never a controller file name ("memory.max"), unique even for a relaunched execution.
    return f"run-{safe}-{secrets.token_hex(4)}"
