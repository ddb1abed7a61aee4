"""Running one claimed execution: launch its sandbox, turn what the backend observes into
events, and end with exactly one verdict.

Writes for one execution come from the one worker that claimed it, so that worker numbers the
events itself (`seq`). When each event is stored, written to the record and delivered, so
that it is durable before any subscriber sees it, is :mod:`service.services.worker.recording`'s
part; the verdict itself is decided by :mod:`service.domain.verdicts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from service.domain.display import DISPLAY_DIR, DISPLAY_FILE_SUFFIXES, DisplayData, encode_data
from service.domain.events import FileEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.files import FileCollection, FileContent
from service.domain.runtimes import RuntimeCatalog
from service.domain.sandboxes import (
    SandboxDisplay,
    SandboxFinished,
    SandboxObservation,
    SandboxOutcome,
    SandboxOutput,
    SandboxSpec,
    SandboxStarted,
)
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import ExecutionFiles
from service.domain.verdicts import Verdict, classify
from service.services.clock import utcnow
from service.services.files.keeping import FileKeeper
from service.services.ports.bus import EventFeed, WorkSignals
from service.services.ports.sandbox import SandboxBackend, SandboxHandle, SandboxLaunchError
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.ports.tracing import ExecutionTracer, NullExecutionTracer, RunSpan
from service.services.worker.coalescing import OutputCoalescer
from service.services.worker.recording import OwnershipLost, RunRecorder, RunState
from service.services.worker.relaying import StdinRelay
from service.services.workspaces.running import WorkspaceRuns

log = logging.getLogger(__name__)

_PENDING_CANCEL_TTL = 60.0


class ExecutionObserver:
    """Launches and watches sandboxes for claimed executions."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        signals: WorkSignals,
        backend: SandboxBackend,
        runtimes: RuntimeCatalog,
        worker_id: str,
        tracer: ExecutionTracer | None = None,
        linger_seconds: float = 0.015,
        max_chunk_bytes: int = 64 * 1024,
        sandboxes_outlive_worker: bool = False,
        stdin_relay: StdinRelay | None = None,
        write_behind_seconds: float = 0.1,
        output_events_per_second: float = 20.0,
        output_event_burst: int = 20,
        files: FileKeeper | None = None,
        workspace_runs: WorkspaceRuns | None = None,
    ) -> None:
        # Input files for the sandbox, output files from it (None: runs keep no files).
        self._files = files
        # Runs on workspaces: their files in, their /work back (None: no workspaces).
        self._workspace_runs = workspace_runs
        self._feed = feed
        self._backend = backend
        self._runtimes = runtimes
        self._tracer = tracer or NullExecutionTracer()
        self._linger = linger_seconds
        self._max_chunk = max_chunk_bytes
        # Each run's output event budget (see `OutputCoalescer`): what one flooding script
        # costs subscribers, the store and this loop is bounded, whoever else runs here.
        self._events_per_second = output_events_per_second
        self._event_burst = output_event_burst
        # Kubernetes pods survive a worker restart (another worker reattaches); local
        # sandboxes die with their worker.
        self._sandboxes_outlive_worker = sandboxes_outlive_worker
        # When each event is stored, written and delivered (write-behind included).
        self._recorder = RunRecorder(
            executions=executions,
            events=events,
            feed=feed,
            worker_id=worker_id,
            write_behind_seconds=write_behind_seconds,
        )
        # Writes input sent with `sendExecutionInput` to interactive sandboxes.
        self._stdin_relay = stdin_relay
        self._handles: dict[str, SandboxHandle] = {}
        # Cancel requests for executions not (yet) running here, by arrival time: a claim may
        # race the request. Forgotten after a minute, since most are for other workers.
        self._cancel_pending: dict[str, float] = {}
        signals.on_cancel_requested(self.request_cancel)

    @property
    def running_ids(self) -> list[str]:
        return list(self._handles)

    def handle_of(self, execution_id: str) -> SandboxHandle | None:
        return self._handles.get(execution_id)

    def request_cancel(self, execution_id: str) -> None:
        """Kill the sandbox if it runs here; remember the request if it is about to."""
        handle = self._handles.get(execution_id)
        if handle is not None:
            asyncio.get_running_loop().create_task(handle.cancel())
        else:
            now = time.monotonic()
            self._cancel_pending = {
                k: t for k, t in self._cancel_pending.items() if now - t < _PENDING_CANCEL_TTL
            }
            self._cancel_pending[execution_id] = now

    async def run(self, execution: Execution, *, queued: StatusEvent | None = None) -> None:
        """Drive a SCHEDULED execution to its terminal status. `queued`: its QUEUED event,
        published ahead by a submission that stored the execution already claimed here; it
        is stored with the run's first batch."""
        span = self._tracer.start_run(execution)
        run = RunState(execution, execution.last_seq, ExecutionStatus.SCHEDULED, span)
        # QUEUED (seq 1) was published by the submission, stored or implied by the record.
        run.published_until = 1
        if queued is not None:
            run.unstored.append(queued)

        async def body() -> None:
            # The record says SCHEDULED since the claim; the event may be stored lazily.
            await self._recorder.emit(
                run,
                StatusEvent(
                    execution.id,
                    run.seq,
                    execution.scheduled_at or utcnow(),
                    ExecutionStatus.SCHEDULED,
                ),
                implied=True,
            )
            await self._launch_and_observe(run, span)

        await self._drive(run, body)

    async def adopt(
        self, execution: Execution, handle: SandboxHandle, *, seq: int, stdout: str, stderr: str
    ) -> None:
        """Continue observing a sandbox that outlived its worker (see `reattach`).

        `execution` must already be assigned to this worker; `seq` is the last stored event and
        `stdout`/`stderr` the output stored so far (the handle skips what was delivered).
        """
        span = self._tracer.start_run(execution)
        run = RunState(execution, seq, execution.status, span, stdout=[stdout], stderr=[stderr])
        run.published_until = seq
        if execution.workspace_id is not None and self._workspace_runs is not None:
            run.workspace_start = await self._workspace_runs.resumed(execution)
        self._handles[execution.id] = handle
        span.launched()
        await self._drive(run, lambda: self._observe(run, handle, span))

    async def _drive(self, run: RunState, body: Callable[[], Awaitable[None]]) -> None:
        execution = run.execution
        # Its workspace is given back when it ends here, not when another worker adopts it.
        leave = True
        try:
            await body()
        except OwnershipLost:
            log.warning("execution %s was finished elsewhere; stopping", execution.id)
        except asyncio.CancelledError:
            leave = not self._sandboxes_outlive_worker
            if not self._sandboxes_outlive_worker:
                # The worker is shutting down and the sandbox dies with it: say so.
                with contextlib.suppress(OwnershipLost, Exception):
                    await asyncio.shield(
                        self._recorder.finish(
                            run,
                            Verdict(
                                ExecutionStatus.ERROR,
                                None,
                                "the worker shut down before the script finished",
                            ),
                        )
                    )
            raise
        except Exception as error:
            log.exception("execution %s failed in the worker", execution.id)
            with contextlib.suppress(OwnershipLost, Exception):
                await self._recorder.finish(
                    run,
                    Verdict(ExecutionStatus.ERROR, None, f"internal error: {type(error).__name__}"),
                )
        finally:
            if leave and self._workspace_runs is not None:
                with contextlib.suppress(Exception):
                    await self._workspace_runs.leave(execution)
            # However it ended: a run that did not store what it published ahead (ownership
            # lost, a fault) never will, and late listeners must not be handed those events.
            self._feed.run_ended(execution.id)
            self._cancel_pending.pop(execution.id, None)
            self._handles.pop(execution.id, None)
            run.span.end(run.status)

    async def _launch_and_observe(self, run: RunState, span: RunSpan) -> None:
        execution = run.execution
        if execution.cancel_requested or execution.id in self._cancel_pending:
            await self._recorder.finish(
                run, Verdict(ExecutionStatus.CANCELLED, None, "cancelled by request")
            )
            return
        runtime = self._runtimes.find(execution.runtime)
        if runtime is None:
            await self._recorder.finish(
                run,
                Verdict(
                    ExecutionStatus.ERROR,
                    None,
                    f"runtime {execution.runtime!r} is not offered by this worker",
                ),
            )
            return
        inputs: tuple[FileContent, ...] = ()
        if execution.input_files and self._files is not None:
            loaded = await self._files.load(execution.input_files)
            if isinstance(loaded, str):
                await self._recorder.finish(run, Verdict(ExecutionStatus.ERROR, None, loaded))
                return
            inputs = loaded
        if execution.workspace_id is not None and self._workspace_runs is not None:
            start = await self._workspace_runs.start(execution, inputs)
            if isinstance(start, str):
                await self._recorder.finish(run, Verdict(ExecutionStatus.ERROR, None, start))
                return
            run.workspace_start, run.own_inputs = start, inputs
            inputs = start.files
        if inputs:
            span.files_in(len(inputs), sum(len(f.data) for f in inputs))
        spec = SandboxSpec(
            execution_id=execution.id,
            runtime=runtime,
            script=execution.script,
            limits=execution.limits,
            stdin=execution.stdin.encode() if execution.stdin is not None else None,
            interactive=execution.interactive,
            # The caller's variables (checked against the deny-list), then ours.
            env={**execution.env, **span.sandbox_env()},
            files=inputs,
            argv=execution.argv,
            collect=FileCollection.for_limits(execution.limits) if self._files else None,
        )
        try:
            handle = await self._backend.launch(spec)
        except SandboxLaunchError as error:
            await self._recorder.finish(run, Verdict(ExecutionStatus.ERROR, None, str(error)))
            return
        self._handles[execution.id] = handle
        if execution.id in self._cancel_pending:
            await handle.cancel()
        span.launched()
        relay: asyncio.Task[None] | None = None
        if execution.interactive and self._stdin_relay is not None:
            relay = asyncio.create_task(
                self._stdin_relay.relay(execution.id, handle), name=f"stdin-{execution.id}"
            )
        try:
            await self._observe(run, handle, span)
        finally:
            if relay is not None:
                relay.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await relay

    async def _keep_files(
        self, run: RunState, verdict: Verdict, outcome: SandboxOutcome
    ) -> ExecutionFiles | None:
        """Store the files the run left (not after an infrastructure fault), each told by a
        FileEvent before the verdict; the record keeps them and the skipped ones."""
        if self._files is None:
            return None
        if verdict.status is ExecutionStatus.ERROR or (
            not outcome.files and not outcome.skipped_files
        ):
            # Images displayed were stored as they came: they stay the run's files.
            return ExecutionFiles(tuple(run.display_files)) if run.display_files else None
        stored = await self._files.store_outputs(
            run.execution.id, outcome.files, run.execution.input_files
        )
        run.span.files_out(len(stored), sum(f.size for f in stored))
        for file in stored:
            run.seq += 1
            await self._recorder.emit(run, FileEvent(run.execution.id, run.seq, utcnow(), file))
        return ExecutionFiles((*run.display_files, *stored), outcome.skipped_files)

    async def _write_back(
        self,
        run: RunState,
        verdict: Verdict,
        outcome: SandboxOutcome,
        files: ExecutionFiles | None,
    ) -> ExecutionFiles | None:
        """A workspace run: its /work into the workspace, before the verdict is told (whoever
        sees the verdict sees the workspace as the run left it)."""
        if run.workspace_start is None or self._workspace_runs is None:
            return files
        kept = await self._workspace_runs.write_back(
            run.execution, run.workspace_start, verdict.status, outcome, run.own_inputs
        )
        return replace(
            files or ExecutionFiles(),
            workspace_updated=kept.updated,
            workspace_message=kept.message,
        )

    async def _display(
        self,
        run: RunState,
        observation: SandboxDisplay,
        coalescer: OutputCoalescer,
        span: RunSpan,
    ) -> None:
        # After the output read before it, so the log keeps their order.
        span.output(len(observation.data))
        await self._recorder.write_output(run, coalescer.flush())
        item = DisplayData(observation.mime_type, observation.data)
        file = None
        if self._files is not None and item.mime_type in DISPLAY_FILE_SUFFIXES:
            # Named by the seq the display is about to take: unique within the run.
            name = f"{DISPLAY_DIR}/display-{run.seq + 1}{DISPLAY_FILE_SUFFIXES[item.mime_type]}"
            (file,) = await self._files.store(
                run.execution.id, [FileContent(name, item.data)], role="output"
            )
            run.display_files.append(file)
        await self._recorder.write_display(run, item.mime_type, encode_data(item), file)

    async def _observe(self, run: RunState, handle: SandboxHandle, span: RunSpan) -> None:
        queue: asyncio.Queue[SandboxObservation] = asyncio.Queue()

        async def pump() -> None:
            async for observation in handle.observations():
                await queue.put(observation)

        pump_task = asyncio.create_task(pump())
        # The backend caps raw bytes; the coalescer caps what is stored (U+FFFD for an
        # invalid byte takes three), counting what an adopted run stored before. Past that,
        # the sandbox is killed here.
        stored = sum(len(text.encode()) for text in (*run.stdout, *run.stderr))
        coalescer = OutputCoalescer(
            self._max_chunk,
            self._linger,
            events_per_second=self._events_per_second,
            event_burst=self._event_burst,
            max_output_bytes=max(0, run.execution.limits.max_output_bytes - stored),
        )
        cap_kill: asyncio.Task[None] | None = None
        try:
            while True:
                if coalescer.cap_reached and cap_kill is None:
                    cap_kill = asyncio.create_task(handle.cancel())
                deadlines = [d for d in (coalescer.deadline(), run.flush_due) if d is not None]
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                try:
                    observation = await asyncio.wait_for(queue.get(), timeout)
                except TimeoutError:
                    await self._recorder.write_output(run, coalescer.tick(time.monotonic()))
                    if run.flush_due is not None and run.flush_due <= time.monotonic():
                        await self._recorder.flush(run)
                    continue
                if isinstance(observation, SandboxOutput):
                    span.output(len(observation.data))
                    due = coalescer.add(observation.stream, observation.data, time.monotonic())
                    await self._recorder.write_output(run, due)
                elif isinstance(observation, SandboxDisplay):
                    await self._display(run, observation, coalescer, span)
                elif isinstance(observation, SandboxStarted):
                    await self._recorder.write_output(run, coalescer.flush())
                    if run.shown_status is ExecutionStatus.SCHEDULED:
                        await self._recorder.start_running(run, utcnow())
                        span.started()
                elif isinstance(observation, SandboxFinished):
                    # Not stored on its own: the terminal write carries it.
                    await self._recorder.write_output(run, coalescer.flush(final=True), store=False)
                    outcome = observation.outcome
                    if coalescer.cap_reached and outcome.error is None:
                        # Our kill for the stored-output cap, not a user's cancel.
                        outcome = replace(outcome, output_limit_exceeded=True, cancelled=False)
                    verdict = classify(outcome)
                    files = await self._keep_files(run, verdict, outcome)
                    files = await self._write_back(run, verdict, outcome, files)
                    await self._recorder.finish(
                        run,
                        verdict,
                        output_truncated=outcome.output_limit_exceeded,
                        usage=outcome.usage,
                        files=files,
                    )
                    span.finished(verdict, outcome.usage)
                    return
        finally:
            pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump_task
            if cap_kill is not None:
                with contextlib.suppress(Exception):
                    await cap_kill
