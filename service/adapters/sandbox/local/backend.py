"""The local sandbox backend: bubblewrap sandboxes under per-execution cgroups on this host.

`start()` checks the host once (bubblewrap, setpriv, the sandbox user and uid range, user
namespaces, pidfds, a writable cgroup hierarchy, libseccomp, interpreters), compiles the
seccomp filter,
and runs one test sandbox end to end, so a broken host fails at start with a clear message
rather than at the first execution. `launch()` then does only the per-sandbox work: when a
warm sandbox of the right shape is waiting, the pool (`warm.py`) writes the execution's limits
to its cgroup and its script to its pipe; else the launcher (`launching.py`) creates and
limits a cgroup (file writes), puts the script and the filter in memfds and forks one
process. Next: either becomes a `LocalSandboxHandle` (`handle.py`), which supervises the
sandbox to its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from service.adapters.sandbox.local.bwrap import root_links
from service.adapters.sandbox.local.cgroups import CgroupError, CgroupLimits
from service.adapters.sandbox.local.config import LocalBackendConfig
from service.adapters.sandbox.local.demand import DemandPools
from service.adapters.sandbox.local.handle import LocalSandboxHandle
from service.adapters.sandbox.local.hierarchies import (
    CgroupHierarchy,
    CgroupUnavailable,
    find_hierarchy,
)
from service.adapters.sandbox.local.launching import HostTools, SandboxLauncher
from service.adapters.sandbox.local.pipes import PipeWriter
from service.adapters.sandbox.local.prerequisites import (
    bwrap_version,
    check_pidfd,
    find_sandbox_user,
    find_tool,
    user_namespace_problem,
)
from service.adapters.sandbox.local.pythons import prefix_runtimes, probe_script
from service.adapters.sandbox.local.runtimes import VISIBLE_ROOT, discover_runtimes
from service.adapters.sandbox.local.sandboxlib import (
    SOURCE,
    sandbox_lib_available,
    stage_sandbox_lib,
    with_sandbox_lib,
)
from service.adapters.sandbox.local.seccomp import SeccompUnavailable, build_filter
from service.adapters.sandbox.local.spawning import SandboxProcess
from service.adapters.sandbox.local.uids import (
    SandboxUids,
    UidRangeInvalid,
    UidsExhausted,
    users_in_range,
)
from service.adapters.sandbox.local.warm import (
    MISS_NO_POOL,
    SELF_TEST_ID,
    HandedOver,
    WarmPool,
    WarmSandbox,
    warm_template,
)
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
    NoPoolMetrics,
    PoolMetrics,
    SandboxLaunchError,
)

log = logging.getLogger(__name__)

_UNLIMITED_HINT = "set PODRUN_LOCAL_ALLOW_UNLIMITED=true to run sandboxes without limits"
_SELF_TEST_SECONDS = 15.0
# The execution id of the backend's own test sandboxes (which create no demand).
_TEST_ID = SELF_TEST_ID
# How often the uids of ended sandboxes are checked for leftover (dead, unreaped) processes.
_UID_RECHECK_SECONDS = 0.25


class LocalSandboxBackend:
    """Runs each sandbox as bwrap under its own cgroup (implements `SandboxBackend`)."""

    def __init__(
        self, config: LocalBackendConfig | None = None, *, pool_metrics: PoolMetrics | None = None
    ) -> None:
        self._config = config or LocalBackendConfig()
        self._pool_metrics = pool_metrics or NoPoolMetrics()
        self._started = False
        self._launcher: SandboxLauncher | None = None
        self._uids: SandboxUids | None = None
        self._uid_recheck: asyncio.Task[None] | None = None
        self._hierarchy: CgroupHierarchy | None = None
        self._runtimes: list[Runtime] = []
        self._sandbox_lib = SOURCE  # staged at start
        self._handles: set[LocalSandboxHandle] = set()
        self._pool: WarmPool | None = None
        # Pools of the other runtimes in demand (demand.py).
        self._demand: DemandPools | None = None
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
        tools = await self._find_tools()
        self._hierarchy = self._find_hierarchy()
        if tools.setpriv is not None:
            self._uids = self._open_uids()
            self._uid_recheck = asyncio.get_running_loop().create_task(
                self._recheck_uids(self._uids), name="podrun-sandbox-uids"
            )
        self._launcher = SandboxLauncher(
            tools=tools, hierarchy=self._hierarchy, uids=self._uids, config=config
        )
        self._runtimes = await discover_runtimes(config.interpreter_dir, config.extra_runtimes)
        if sandbox_lib_available():
            self._sandbox_lib = stage_sandbox_lib()
            self._runtimes = [with_sandbox_lib(r, self._sandbox_lib) for r in self._runtimes]
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
        await self._add_pythons()
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

    def warm_ready_for(self, runtime_id: str) -> int:
        """Warm sandboxes of a runtime in demand (not the default) waiting now."""
        return 0 if self._demand is None else self._demand.ready(runtime_id)

    @property
    def warm_launches(self) -> int:
        """Executions given to a warm sandbox since the start."""
        return self._warm_launches

    async def close(self) -> None:
        if self._demand is not None:
            await self._demand.close()
            self._demand = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        handles = list(self._handles)
        await asyncio.gather(*(h.shutdown() for h in handles), return_exceptions=True)
        if self._uid_recheck is not None:
            self._uid_recheck.cancel()
            await asyncio.gather(self._uid_recheck, return_exceptions=True)
            self._uid_recheck = None
        if self._uids is not None:
            with contextlib.suppress(OSError):
                await asyncio.get_running_loop().run_in_executor(None, self._uids.recheck)
            self._uids.close()
        self._started = False

    def runtimes(self) -> list[Runtime]:
        return list(self._runtimes)

    async def reattach(self, execution_id: str) -> LocalSandboxHandle | None:
        # Sandboxes die with their worker (--die-with-parent): nothing to find again.
        return None

    async def launch(self, spec: SandboxSpec) -> LocalSandboxHandle:
        if not self._started or self._launcher is None:
            raise SandboxLaunchError("the local sandbox backend is not started")
        self._check_runtime(spec.runtime)
        warm = self._hand_over(spec)
        if warm is not None:
            self._warm_launches += 1
            return self._track(
                spec,
                warm.process,
                warm.cgroup,
                cpu_baseline_ns=warm.cpu_baseline_ns,
                script=warm.script,
            )
        try:
            process, cgroup = await self._launcher.start_cold(spec)
        except (CgroupError, OSError, ValueError, UidsExhausted) as error:
            raise SandboxLaunchError(f"cannot start the sandbox: {error}") from error
        if self._demand is not None and not spec.runtime.default and spec.execution_id != _TEST_ID:
            self._demand.started_cold(spec.runtime)
        return self._track(spec, process, cgroup)

    def _hand_over(self, spec: SandboxSpec) -> HandedOver | None:
        """A warm sandbox of the spec's runtime now running it, or None (then start cold)."""
        if self._pool is None:
            return None  # warm sandboxes are off: no pool to hit or miss
        if spec.runtime.id == self._pool.runtime:
            return self._pool.hand_over(spec)
        if self._demand is not None and self._demand.has(spec.runtime.id):
            return self._demand.hand_over(spec)
        if spec.execution_id != _TEST_ID:
            self._pool_metrics.miss(spec.runtime.id, MISS_NO_POOL)
        return None

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

    # Warm sandboxes (the pool itself is `warm.py`).

    async def _start_pool(self) -> None:
        size = self._config.warm_sandboxes
        launcher = self._launcher
        if size <= 0 or launcher is None:
            return
        runtime = next(r for r in self._runtimes if r.default)
        loop = asyncio.get_running_loop()
        pool = WarmPool(
            warm_template(runtime),
            size,
            start=lambda spec: WarmSandbox(*launcher.start_warm(spec, loop.time), spec),
            discard=self._discard_warm,
            metrics=self._pool_metrics,
        )
        pool.fill()
        self._pool = pool
        self._demand = DemandPools(
            lambda template, count: WarmPool(
                template,
                count,
                start=lambda spec: WarmSandbox(*launcher.start_warm(spec, loop.time), spec),
                discard=self._discard_warm,
                metrics=self._pool_metrics,
            )
        )
        # What only a real hand-over can tell (the waiting program on this interpreter).
        try:
            await self._self_test()
        except BackendUnavailable as error:
            log.warning("warm sandboxes disabled: %s", error)
            self._pool = None
            self._demand = None
            await pool.close()

    async def _discard_warm(self, warm: WarmSandbox) -> None:
        """Stop a warm sandbox nobody will use, and remove its cgroup."""
        if warm.process.script_fd is not None:
            with contextlib.suppress(OSError):
                os.close(warm.process.script_fd)
        # A handle kills the process tree and removes the cgroup like any sandbox's end.
        await self._track(warm.spec, warm.process, warm.cgroup).shutdown()

    # Checks at the start.

    async def _find_tools(self) -> HostTools:
        config = self._config
        util_linux = "install util-linux: apt-get install util-linux"
        bwrap = find_tool(
            config.bwrap_path,
            "bubblewrap (bwrap)",
            "install bubblewrap: apt-get install bubblewrap",
        )
        shell = find_tool(config.shell_path, "a POSIX shell", "install dash or bash")
        unshare = find_tool(config.unshare_path, "unshare", util_linux)
        prlimit = find_tool(config.prlimit_path, "prlimit", util_linux)
        setpriv: str | None = None
        uid, gid = os.getuid(), os.getgid()
        if os.geteuid() == 0:
            setpriv = find_tool(config.setpriv_path, "setpriv", util_linux)
            user = find_sandbox_user(config.sandbox_user)
            uid, gid = user.uid, user.gid
        problem = user_namespace_problem()
        if problem is not None:
            raise BackendUnavailable(f"bubblewrap needs user namespaces: {problem}")
        check_pidfd()
        disable_userns = await bwrap_version(bwrap) >= (0, 8)
        try:
            seccomp = build_filter()
        except SeccompUnavailable as error:
            raise BackendUnavailable(str(error)) from error
        return HostTools(
            bwrap=bwrap,
            shell=shell,
            unshare=unshare,
            prlimit=prlimit,
            setpriv=setpriv,
            uid=uid,
            gid=gid,
            disable_userns=disable_userns,
            links=root_links(),
            seccomp=seccomp,
        )

    async def _add_pythons(self) -> None:
        """Offer the configured interpreter prefixes that pass a probe in a sandbox."""
        candidates = await prefix_runtimes(self._config.pythons, (r.id for r in self._runtimes))
        for runtime in (with_sandbox_lib(r, self._sandbox_lib) for r in candidates):
            script, expected = probe_script(runtime)
            problem = await self.problem_running(runtime, script, expected)
            if problem is None:
                self._runtimes.append(runtime)
            else:
                log.warning(
                    "runtime %s (%s) is not offered: it cannot run in a sandbox: %s",
                    runtime.id,
                    runtime.mounts[0].source if runtime.mounts else runtime.command[0],
                    problem,
                )

    def _check_runtime(self, runtime: Runtime) -> None:
        if not runtime.command:
            raise SandboxLaunchError(f"runtime {runtime.id!r} has no command")
        path = Path(runtime.command[0])
        if any(path.is_relative_to(mount.target) for mount in runtime.mounts):
            return  # in the runtime's own tree, which only the sandbox sees at that path
        if not path.is_absolute() or not path.is_relative_to(VISIBLE_ROOT) or not path.exists():
            raise SandboxLaunchError(
                f"runtime {runtime.id!r} ({path}) is not an interpreter under {VISIBLE_ROOT} "
                "on this host"
            )

    def _open_uids(self) -> SandboxUids:
        """The range of host uids sandboxes run as, one each (see uids.py)."""
        config = self._config
        first, count = config.sandbox_first_uid, config.sandbox_uid_count
        try:
            uids = SandboxUids(first, count, config.uid_lock_file)
        except UidRangeInvalid as error:
            raise BackendUnavailable(str(error)) from error
        taken = users_in_range(first, count)
        if taken:
            raise BackendUnavailable(
                f"sandbox uids {first}-{first + count - 1} must belong to no account, but "
                f"{', '.join(taken[:5])} have one: choose another PODRUN_LOCAL_SANDBOX_FIRST_UID"
            )
        try:
            uids.open()
        except OSError as error:
            raise BackendUnavailable(
                f"cannot open the sandbox uid lock file {config.uid_lock_file}: {error.strerror}"
            ) from error
        return uids

    @staticmethod
    async def _recheck_uids(uids: SandboxUids) -> None:
        """Free the uids of ended sandboxes once no process has them (see uids.py)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(_UID_RECHECK_SECONDS)
            if uids.draining:
                try:
                    await loop.run_in_executor(None, uids.recheck)
                except OSError as error:
                    log.warning("cannot check which sandbox uids are free: %s", error)

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

    async def problem_running(
        self, runtime: Runtime, script: str, expected: str, *, limits: Limits | None = None
    ) -> str | None:
        """Run `script` in a test sandbox of `runtime` (under `limits`, default a quick
        one); None when it printed `expected` and exited 0, else what went wrong."""
        spec = SandboxSpec(
            execution_id=_TEST_ID,
            runtime=runtime,
            script=script,
            limits=limits or Limits(timeout_seconds=_SELF_TEST_SECONDS),
        )
        try:
            handle = await self.launch(spec)
        except SandboxLaunchError as error:
            return f"cannot start a test sandbox: {error}"
        output = {stream: bytearray() for stream in OutputStream}
        outcome = None
        async for observation in handle.observations():
            if isinstance(observation, SandboxOutput):
                output[observation.stream] += observation.data
            elif isinstance(observation, SandboxFinished):
                outcome = observation.outcome
        stdout = bytes(output[OutputStream.STDOUT])
        if outcome is None or outcome.exit_code != 0 or stdout != expected.encode():
            stderr = bytes(output[OutputStream.STDERR]).decode(errors="replace").strip()
            detail = (outcome.error if outcome is not None and outcome.error else None) or stderr
            return f"{detail or 'no error output'} ({outcome})"
        return None

    async def _self_test(self) -> None:
        """One sandbox end to end, so that what only bwrap can tell fails `start()`."""
        runtime = next(r for r in self._runtimes if r.default)
        problem = await self.problem_running(runtime, "print('ok')", "ok\n")
        if problem is not None:
            if problem.startswith("cannot start a test sandbox"):
                raise BackendUnavailable(problem)
            raise BackendUnavailable(
                f"a test sandbox failed: {problem}. Check that "
                "bubblewrap can create user namespaces as a sandbox uid (try: setpriv "
                f"--reuid={self._config.sandbox_first_uid} --regid=nogroup --clear-groups "
                "bwrap --unshare-all --ro-bind /usr /usr --symlink usr/lib64 /lib64 true)"
            )
