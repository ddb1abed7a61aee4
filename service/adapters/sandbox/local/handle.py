"""One running local sandbox: its output, its stdin, its limits in time and output, its end.

A supervisor task starts with the sandbox (not with the first `observations()` call), so
the timeout, the output cap and draining the pipes never depend on how fast the consumer
iterates. It reads stdout/stderr as data arrives (≤ 64 KiB per chunk, no line buffering, no
coalescing), learns of the exit through a pidfd, and when the main process is gone kills
whatever is left in the cgroup (daemons, double-forked or not) before it reports `Finished`;
after it, it removes the cgroup and gives the sandbox's host uid back (`uids.py`).
The wall-clock limit runs from the fork of the sandbox's host process, so bwrap's setup
(~10 ms) counts against it, as it does in the reported wall time; for a warm sandbox it runs
from the moment the script was handed over (`SandboxProcess.spawned_at`), and the CPU its
idle interpreter used before that is not the script's.

Exit statuses come from bwrap, which reports a script killed by signal n as 128+n; we read
128+n as that signal (a script that calls `sys.exit(137)` is reported as killed by signal 9,
which classifies to the same exit code). A signal we sent ourselves (timeout, output cap,
cancel) is not reported as the script's signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable

from service.adapters.sandbox.local.cgroups import CgroupError, CgroupLimits
from service.adapters.sandbox.local.commands import PRELUDE_FAILED
from service.adapters.sandbox.local.launching import give_back
from service.adapters.sandbox.local.pipes import PipeReader, PipeWriter
from service.adapters.sandbox.local.spawning import SandboxProcess
from service.domain.display import DisplayFrameError, DisplayFrames
from service.domain.filestreams import Collected, parse_collected, stream_bound
from service.domain.sandboxes import (
    OutputStream,
    ResourceUsage,
    SandboxDisplay,
    SandboxFinished,
    SandboxObservation,
    SandboxOutcome,
    SandboxOutput,
    SandboxSpec,
    SandboxStarted,
)

log = logging.getLogger(__name__)

SIGNAL_EXIT_BASE = 128
_MAX_SIGNAL = 64
_ERROR_HEAD_BYTES = 2048
# After the main process is gone, how long its pipes may take to reach end of file.
_DRAIN_SECONDS = 2.0
# What a display costs of the output budget at least: each is an event and a store write,
# so a flood of tiny ones is bounded like a flood of output (1024 under the default 1 MiB).
MIN_DISPLAY_BYTES = 1024
# Sent back on the display channel for each display taken (sandbox/podrun/__init__.py).
ACK = b"\x06"


class KillReason(enum.Enum):
    TIMEOUT = "timeout"
    OUTPUT_LIMIT = "output limit"
    CANCEL = "cancel"
    SHUTDOWN = "shutdown"


class LocalSandboxHandle:
    """A launched local sandbox (implements `SandboxHandle`)."""

    def __init__(
        self,
        spec: SandboxSpec,
        process: SandboxProcess,
        cgroup: CgroupLimits | None,
        *,
        kill_timeout: float,
        on_done: Callable[[LocalSandboxHandle], None] | None = None,
        cpu_baseline_ns: int = 0,
        script: PipeWriter | None = None,
    ) -> None:
        self._spec = spec
        self._process = process
        self._cgroup = cgroup
        # A warm sandbox: CPU its interpreter used before it was given the script, and the
        # pipe the script is still being written to.
        self._cpu_baseline_ns = cpu_baseline_ns
        self._script = script
        self._kill_timeout = kill_timeout
        self._on_done = on_done
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[SandboxObservation] = asyncio.Queue()
        self._iterated = False

        self._exit_status: int | None = None
        self._exited_at: float | None = None
        self._exited = asyncio.Event()
        self._reason: KillReason | None = None
        self._wakeup = asyncio.Event()
        self._done = asyncio.Event()

        self._delivered = 0
        self._output_closed = False
        self._stderr_head = bytearray()

        self._loop.add_reader(process.pidfd, self._on_exit)
        self._readers = [
            PipeReader(
                self._loop,
                process.stdout_fd,
                lambda data: self._on_output(OutputStream.STDOUT, data),
            ),
            PipeReader(
                self._loop,
                process.stderr_fd,
                lambda data: self._on_output(OutputStream.STDERR, data),
            ),
        ]
        self._display = DisplayFrames()
        self._display_reader: PipeReader | None = None
        if process.display_fd is not None:
            self._display_reader = PipeReader(self._loop, process.display_fd, self._on_display)
            self._readers.append(self._display_reader)
        # The files the script left, as the in-sandbox packer streams them (`filewrap.py`):
        # kept up to the bound an honest packer stays under, the rest read and dropped (a
        # packer that stopped would block the sandbox's end).
        self._files = bytearray()
        self._files_cut = False
        self._files_bound = stream_bound(spec.collect) if spec.collect is not None else 0
        if process.files_fd is not None:
            self._readers.append(
                PipeReader(self._loop, process.files_fd, self._on_files, paced=False)
            )
        self._stdin: PipeWriter | None = None
        if process.stdin_fd is not None:
            self._stdin = PipeWriter(self._loop, process.stdin_fd)
            # Queued, not awaited: a script that never reads its stdin must not stall us.
            if spec.stdin:
                self._stdin.write(spec.stdin)
            if not spec.interactive:
                self._stdin.close()
        self._supervisor = self._loop.create_task(
            self._supervise(), name=f"podrun-sandbox-{spec.execution_id}"
        )

    @property
    def execution_id(self) -> str:
        return self._spec.execution_id

    @property
    def pid(self) -> int:
        """Host pid of the sandbox's outermost process."""
        return self._process.popen.pid

    async def observations(self) -> AsyncIterator[SandboxObservation]:
        if self._iterated:
            raise RuntimeError("observations() of a sandbox can be iterated only once")
        self._iterated = True
        while True:
            observation = await self._queue.get()
            yield observation
            if isinstance(observation, SandboxFinished):
                return

    async def cancel(self) -> None:
        await self._stop(KillReason.CANCEL)

    async def shutdown(self) -> None:
        """Kill the sandbox because the backend closes; the outcome is an error."""
        await self._stop(KillReason.SHUTDOWN)

    async def write_stdin(self, data: bytes) -> None:
        stdin = self._stdin
        if stdin is None or stdin.closed:
            raise BrokenPipeError(f"stdin of sandbox {self.execution_id} is closed")
        stdin.write(data)
        await stdin.drain()
        if stdin.broken:
            raise BrokenPipeError(f"sandbox {self.execution_id} stopped reading its stdin")

    async def close_stdin(self) -> None:
        if self._stdin is not None:
            self._stdin.close()

    async def wait(self) -> None:
        """Until `Finished` has been queued (for the backend's bookkeeping and tests)."""
        await self._done.wait()

    async def _stop(self, reason: KillReason) -> None:
        if self._exit_status is None and self._reason is None:
            self._reason = reason
            self._wakeup.set()
        await asyncio.shield(self._done.wait())

    # Event-loop callbacks.

    def _on_exit(self) -> None:
        returncode = self._process.popen.poll()
        if returncode is None:
            return
        self._loop.remove_reader(self._process.pidfd)
        self._exit_status = returncode
        self._exited_at = self._loop.time()
        self._exited.set()
        self._wakeup.set()

    def _on_output(self, stream: OutputStream, data: bytes) -> None:
        if stream is OutputStream.STDERR and len(self._stderr_head) < _ERROR_HEAD_BYTES:
            self._stderr_head += data[: _ERROR_HEAD_BYTES - len(self._stderr_head)]
        if self._output_closed:
            return
        room = self._spec.limits.max_output_bytes - self._delivered
        exceeded = len(data) > room
        if exceeded:
            data = data[:room]
        if data:
            self._delivered += len(data)
            self._queue.put_nowait(SandboxOutput(stream, data))
        if exceeded:
            self._output_closed = True
            # Also after the exit: output still in the pipes counts as well.
            if self._reason is None:
                self._reason = KillReason.OUTPUT_LIMIT
                self._wakeup.set()

    def _on_display(self, data: bytes) -> None:
        """Frames from the display channel, counted against the output limit like output;
        a malformed channel is closed (the script's later displays fail, nothing else)."""
        if self._output_closed:
            return
        try:
            items = self._display.feed(data)
        except DisplayFrameError as error:
            log.info("sandbox %s: display channel closed: %s", self.execution_id, error)
            if self._display_reader is not None:
                self._display_reader.close()
            return
        for item in items:
            # The script waits for our acknowledgement before it goes on, and flushed its
            # output before it displayed: what the pipes hold now was written before.
            for reader in self._readers[:2]:
                reader.read_now()
            if self._output_closed or not self._count(max(len(item.data), MIN_DISPLAY_BYTES)):
                return
            self._queue.put_nowait(SandboxDisplay(item.mime_type, item.data))
            self._acknowledge()
        if self._display.pending_bytes > self._spec.limits.max_output_bytes - self._delivered:
            self._count(self._display.pending_bytes)  # it cannot fit: stop now

    def _acknowledge(self) -> None:
        fd = self._process.display_fd
        if fd is None:
            return
        # Never blocks: a script that does not read its acknowledgements only loses them.
        with contextlib.suppress(OSError):
            os.write(fd, ACK)

    def _count(self, size: int) -> bool:
        """Take `size` bytes of the output budget; False (and the kill) when they do not fit."""
        if size <= self._spec.limits.max_output_bytes - self._delivered:
            self._delivered += size
            return True
        self._output_closed = True
        if self._reason is None:
            self._reason = KillReason.OUTPUT_LIMIT
            self._wakeup.set()
        return False

    def _on_files(self, data: bytes) -> None:
        room = self._files_bound - len(self._files)
        if len(data) > room:
            self._files_cut = True
            data = data[: max(0, room)]
        self._files += data

    def _collected(self) -> Collected:
        if self._spec.collect is None or not self._files:
            return Collected()
        given = {(f.path, hashlib.sha256(f.data).hexdigest()) for f in self._spec.files}
        return parse_collected(
            bytes(self._files), self._spec.collect, truncated=self._files_cut, given=given
        )

    # The supervisor.

    async def _supervise(self) -> None:
        outcome = SandboxOutcome(error="the sandbox supervisor stopped unexpectedly")
        try:
            outcome = await self._run()
        except asyncio.CancelledError:
            self._signal_main(signal.SIGKILL)
            outcome = SandboxOutcome(error="the sandbox was abandoned: the worker is stopping")
            raise
        except Exception as error:
            log.exception("supervising sandbox %s failed", self.execution_id)
            outcome = SandboxOutcome(error=f"supervising the sandbox failed: {error}")
            with contextlib.suppress(Exception):
                await self._kill_tree()
        finally:
            # The outcome is complete (counters read, processes gone): report it before the
            # slower tidying (pipes, removing the cgroup), which nobody has to wait for.
            self._queue.put_nowait(SandboxFinished(outcome))
            await self._release()
            self._done.set()
            if self._on_done is not None:
                self._on_done(self)

    async def _run(self) -> SandboxOutcome:
        self._queue.put_nowait(SandboxStarted())
        deadline = self._process.spawned_at + self._spec.limits.timeout_seconds
        while self._exit_status is None and self._reason is None:
            self._wakeup.clear()
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                self._reason = KillReason.TIMEOUT
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._wakeup.wait()

        if self._exit_status is None:
            await self._kill_tree()
            async with asyncio.timeout(self._kill_timeout):
                await self._exited.wait()
        # The main process is gone; whatever it left behind (daemons) goes too.
        await self._kill_tree()
        if self._stdin is not None:
            self._stdin.abort()
        await self._drain()
        return self._outcome()

    async def _kill_tree(self) -> None:
        # The direct child first: before its prelude joined the cgroup, it is all there is;
        # after, its death takes the pid namespace down with it (--die-with-parent).
        self._signal_main(signal.SIGKILL)
        if self._cgroup is not None:
            await self._cgroup.kill(self._kill_timeout)

    def _signal_main(self, signum: int) -> None:
        if self._exit_status is None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pidfd_send_signal(self._process.pidfd, signum)

    async def _drain(self) -> None:
        pending = [reader.done for reader in self._readers if not reader.done.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=_DRAIN_SECONDS)
            if late:
                log.warning(
                    "sandbox %s: output pipes still open after the end; closing", self.execution_id
                )

    def _outcome(self) -> SandboxOutcome:
        status = self._exit_status
        assert status is not None and self._exited_at is not None
        reason = self._reason
        exit_code: int | None = None
        signum: int | None = None
        if status < 0:
            if status == -PRELUDE_FAILED and reason is None:
                head = self._stderr_head.decode(errors="replace").strip()
                return SandboxOutcome(
                    error=f"the sandbox could not join its cgroup or set its limits: {head}",
                    usage=self._usage(),
                )
            if reason is None:
                signum = -status
        elif SIGNAL_EXIT_BASE < status <= SIGNAL_EXIT_BASE + _MAX_SIGNAL:
            if not (reason is not None and status - SIGNAL_EXIT_BASE == signal.SIGKILL):
                signum = status - SIGNAL_EXIT_BASE
        else:
            exit_code = status
        oom_killed = self._cgroup is not None and self._cgroup.oom_kills() > 0
        ended = SandboxOutcome(
            exit_code=exit_code,
            signal=signum,
            oom_killed=oom_killed,
            timed_out=reason is KillReason.TIMEOUT,
            output_limit_exceeded=reason is KillReason.OUTPUT_LIMIT,
            cancelled=reason is KillReason.CANCEL,
            error="the worker stopped the sandbox" if reason is KillReason.SHUTDOWN else None,
            usage=self._usage(),
        )
        return self._collected().told_in(ended)

    def _usage(self) -> ResourceUsage:
        assert self._exited_at is not None
        wall_ms = (self._exited_at - self._process.spawned_at) * 1000.0
        if self._cgroup is None:
            return ResourceUsage(cpu_time_ms=0.0, peak_memory_kib=0, wall_time_ms=wall_ms)
        usage = self._cgroup.usage()
        return ResourceUsage(
            cpu_time_ms=max(0, usage.cpu_time_ns - self._cpu_baseline_ns) / 1e6,
            peak_memory_kib=usage.peak_memory_bytes // 1024,
            wall_time_ms=wall_ms,
        )

    async def _release(self) -> None:
        if self._exit_status is None:
            self._loop.remove_reader(self._process.pidfd)
        with contextlib.suppress(OSError):
            os.close(self._process.pidfd)
        for reader in self._readers:
            reader.close()
        if self._stdin is not None:
            self._stdin.abort()
        if self._script is not None:
            self._script.abort()
        removed: bool | None = None
        if self._cgroup is not None:
            try:
                await self._cgroup.remove(self._kill_timeout)
                removed = True
            except CgroupError as error:
                log.warning("sandbox %s: %s", self.execution_id, error)
                removed = False
        # Only now can no process of the sandbox's uid be left: the next sandbox may have it.
        give_back(self._process.lease, cgroup_removed=removed)
