"""Sandboxes started ahead of demand, so an execution does not wait for one to start.

Starting a sandbox costs far more than the script usually does (bwrap's namespaces, joining
the cgroup, the interpreter's own start: ~40 ms here, against ~5 ms to run `print(1)` in a
running interpreter). The pool keeps a few sandboxes of the most common shape started, each
in its own fresh cgroup and under its own host uid (`uids.py`), their interpreter waiting
for a script on a pipe (see `warmstart.py`). Taking one for an execution writes that
execution's limits to its cgroup, then the script to its pipe; each is used once and never
returned.

What a warm sandbox cannot change after its start decides whether it fits an execution: the
runtime, the tmpfs size and the file-size rlimit (both from `disk_mib`, the tmpfs also from
`memory_mib`), and variables only read at an interpreter's start (`PYTHONPATH`…). Everything
else (memory, CPU, processes, timeout, output cap, stdin, other environment variables such
as the trace context) is the execution's own, set at hand-over. Anything else starts cold.

`WarmPool` holds the waiting sandboxes and refills itself; its `start` is the launcher's
(`launching.SandboxLauncher.start_warm`), its `discard` the backend's (a handle that kills and
removes the sandbox like any other's end). `WarmPool.hand_over` gives one execution a waiting
sandbox: its limits to the cgroup, then the environment and script down the pipe. Next: the
backend tracks the result in a `LocalSandboxHandle` (`handle.py`), like a cold sandbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from service.adapters.sandbox.local.bwrap import tmpfs_bytes
from service.adapters.sandbox.local.cgroups import CgroupError, CgroupLimits
from service.adapters.sandbox.local.launching import extra_processes
from service.adapters.sandbox.local.pipes import PipeWriter
from service.adapters.sandbox.local.spawning import SandboxProcess
from service.adapters.sandbox.local.uids import UidsExhausted
from service.adapters.sandbox.local.warmstart import handover, set_late_ok
from service.domain.files import FileCollection
from service.domain.limits import Limits
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxSpec
from service.services.ports.sandbox import NoPoolMetrics, PoolMetrics

log = logging.getLogger(__name__)

# After a warm sandbox failed to start, how long to wait before trying again.
_RETRY_SECONDS = 5.0
# How long after a hand-over the pool starts a replacement.
_REFILL_DELAY_SECONDS = 0.05
# The backend's own start check hands a script over too; it is no execution's hit or miss.
SELF_TEST_ID = "podrun-self-test"

# Why an execution did not get a warm sandbox (the Kubernetes pool's reasons, same names).
MISS_EMPTY = "empty"  # it fits, but no warm sandbox was ready
MISS_SHAPE = "shape"  # its limits (tmpfs, file size, start-time variables) differ
MISS_NO_POOL = "no_pool"  # no pool for its runtime (yet: see demand.py)
MISS_HANDOVER = "handover"  # one was taken, but it could not take the execution


@dataclass(frozen=True, slots=True)
class WarmShape:
    """What must match for a warm sandbox to serve an execution."""

    command: tuple[str, ...]
    # The runtime's id too: environments share their interpreter's command.
    runtime: str
    tmpfs_bytes: int
    disk_mib: int

    @classmethod
    def of(cls, spec: SandboxSpec) -> WarmShape:
        return cls(
            command=tuple(spec.runtime.command),
            runtime=spec.runtime.id,
            tmpfs_bytes=tmpfs_bytes(spec.limits),
            disk_mib=spec.limits.disk_mib,
        )


@dataclass(frozen=True, slots=True)
class WarmSandbox:
    """A started sandbox waiting for its script (`process.script_fd` is the pipe)."""

    process: SandboxProcess
    cgroup: CgroupLimits | None
    spec: SandboxSpec  # what it was started as (the pool's template)


@dataclass(frozen=True, slots=True)
class HandedOver:
    """A warm sandbox now running an execution's script."""

    process: SandboxProcess  # `spawned_at` is the hand-over, `script_fd` None
    cgroup: CgroupLimits | None
    # CPU its interpreter used before it was given the script (not the script's).
    cpu_baseline_ns: int
    script: PipeWriter  # still writing the script, perhaps


def warm_template(runtime: Runtime) -> SandboxSpec:
    """The shape warm sandboxes are started as: the default runtime and limits."""
    limits = Limits()
    return SandboxSpec(
        execution_id="warm",
        runtime=runtime,
        script="",
        limits=limits,
        env={},
        collect=FileCollection.for_limits(limits),
    )


class WarmPool:
    """Keeps `size` warm sandboxes of `template`'s shape.

    `start(template)` starts one (called in a worker thread: a fork and cgroup writes);
    `discard(sandbox)` stops one that will not be used. Refills happen on the event loop
    right after a sandbox is taken, never while an execution waits for it.
    """

    def __init__(
        self,
        template: SandboxSpec,
        size: int,
        *,
        start: Callable[[SandboxSpec], WarmSandbox],
        discard: Callable[[WarmSandbox], Coroutine[Any, Any, None]],
        metrics: PoolMetrics | None = None,
    ) -> None:
        self._template = template
        self._shape = WarmShape.of(template)
        self._size = size
        self._start = start
        self._discard = discard
        self._ready: list[WarmSandbox] = []
        self._closed = False
        self._refill: asyncio.TimerHandle | None = None
        self._filling: asyncio.Task[None] | None = None
        self._discarding: set[asyncio.Task[None]] = set()
        self._metrics = metrics or NoPoolMetrics()

    @property
    def ready(self) -> int:
        return len(self._ready)

    @property
    def runtime(self) -> str:
        """The id of the runtime its sandboxes run."""
        return self._shape.runtime

    def _sized(self) -> None:
        starting = 1 if self._filling is not None and not self._closed else 0
        self._metrics.sized(self._shape.runtime, len(self._ready), starting)

    def _missed(self, spec: SandboxSpec, reason: str) -> None:
        if spec.execution_id != SELF_TEST_ID:
            self._metrics.miss(self._shape.runtime, reason)

    def fits(self, spec: SandboxSpec) -> bool:
        # A run that collects no files still fits: what the shell packs is read and dropped.
        collects = spec.collect is None or spec.collect == self._template.collect
        return WarmShape.of(spec) == self._shape and set_late_ok(spec.env) and collects

    def fill(self) -> None:
        """Start sandboxes until `size` are waiting (in a thread: a fork from this big
        process and the cgroup writes take milliseconds the event loop must not lose)."""
        self._refill = None
        if self._filling is None and not self._closed:
            self._filling = asyncio.get_running_loop().create_task(self._fill())
            self._sized()

    async def _fill(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not self._closed and len(self._ready) < self._size:
                began = time.monotonic()
                try:
                    sandbox = await loop.run_in_executor(None, self._start, self._template)
                except (OSError, ValueError, CgroupError, UidsExhausted) as error:
                    log.warning(
                        "cannot start a warm sandbox (retrying in %.0f s): %s",
                        _RETRY_SECONDS,
                        error,
                    )
                    self._schedule(_RETRY_SECONDS)
                    return
                if self._closed:
                    self.discard(sandbox)
                    return
                self._ready.append(sandbox)
                self._metrics.refilled(self._shape.runtime, time.monotonic() - began)
                self._sized()
        finally:
            self._filling = None
            self._sized()

    def take(self, spec: SandboxSpec) -> WarmSandbox | None:
        """A live warm sandbox for `spec`, or None (then start one cold)."""
        if self._closed:
            return None
        if not self.fits(spec):
            self._missed(spec, MISS_SHAPE)
            return None
        taken = None
        while self._ready and taken is None:
            sandbox = self._ready.pop(0)
            if sandbox.process.popen.poll() is None:
                taken = sandbox
            else:
                log.warning(
                    "a warm sandbox ended while waiting (status %s); discarding it",
                    sandbox.process.popen.returncode,
                )
                self.discard(sandbox)
        if taken is None:
            self._missed(spec, MISS_EMPTY)
        self._sized()
        # Not at once: the script just handed over would share the CPU with a new
        # interpreter's start.
        self._schedule(_REFILL_DELAY_SECONDS)
        return taken

    def hand_over(self, spec: SandboxSpec) -> HandedOver | None:
        """Give `spec` to a warm sandbox: its limits, then its script. None when none fits or
        its cgroup refuses the limits (e.g. a memory limit below what it already uses): then
        start one cold."""
        warm = self.take(spec)
        if warm is None:
            return None
        process, cgroup = warm.process, warm.cgroup
        assert process.script_fd is not None
        try:
            payload = handover(spec.env, spec.script.encode(), argv=spec.argv, files=spec.files)
        except ValueError as error:
            # The cold path reports it as a launch error, with nothing started.
            log.info("a warm sandbox cannot take %s (%s)", spec.execution_id, error)
            self._missed(spec, MISS_HANDOVER)
            self.discard(warm)
            return None
        baseline = 0
        try:
            if cgroup is not None:
                cgroup.apply(spec.limits, extra_processes=extra_processes(spec, warm=True))
                cgroup.reset_peak()
                baseline = cgroup.usage().cpu_time_ns
        except CgroupError as error:
            log.info("a warm sandbox cannot take %s (%s); starting one", spec.execution_id, error)
            self._missed(spec, MISS_HANDOVER)
            self.discard(warm)
            return None
        loop = asyncio.get_running_loop()
        script = PipeWriter(loop, process.script_fd)
        script.write(payload)
        script.close()
        started = dataclasses.replace(process, spawned_at=loop.time(), script_fd=None)
        if spec.execution_id != SELF_TEST_ID:
            self._metrics.hit(self._shape.runtime)
        return HandedOver(started, cgroup, baseline, script)

    def discard(self, sandbox: WarmSandbox) -> None:
        task = asyncio.get_running_loop().create_task(self._discard(sandbox))
        self._discarding.add(task)
        task.add_done_callback(self._discarding.discard)

    async def close(self) -> None:
        self._closed = True
        if self._refill is not None:
            self._refill.cancel()
        if self._filling is not None:
            await asyncio.gather(self._filling, return_exceptions=True)
        ready, self._ready = self._ready, []
        for sandbox in ready:
            self.discard(sandbox)
        self._sized()
        if self._discarding:
            await asyncio.gather(*self._discarding, return_exceptions=True)

    def _schedule(self, delay: float) -> None:
        if self._refill is None and not self._closed:
            self._refill = asyncio.get_running_loop().call_later(delay, self.fill)
