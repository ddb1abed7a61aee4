"""Running one claimed execution: launch its sandbox, turn what the backend observes into
events and guarded transitions, and end with exactly one verdict.

Writes for one execution come from the one worker that claimed it, so that worker numbers the
events itself (`seq`); every status write is fenced on the current status and on the worker
id, so a worker that was presumed dead and recovered elsewhere cannot overwrite the outcome.

Durable before delivered: an event reaches a subscriber only once a crash can no longer lose
it. Output is stored as the coalescer emits it (it already lingers to batch) and published
once stored; RUNNING waits for the next output or at most `write_behind_seconds`, so a
short script costs one batch. QUEUED and SCHEDULED
are implied by the record and published at once. The terminal write carries what is still
unstored together with the terminal event itself (`carried`), so the verdict reaches
subscribers after one record write; the log gets those events right after, or from
`repairing.complete_log` when a crash came between. Recovery then numbers its ERROR after
every event anyone received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from service.domain.events import ExecutionEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.runtimes import RuntimeCatalog
from service.domain.sandboxes import (
    OutputStream,
    ResourceUsage,
    SandboxFinished,
    SandboxObservation,
    SandboxOutput,
    SandboxSpec,
    SandboxStarted,
)
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import ExecutionOutput, Transition
from service.domain.verdicts import Verdict, classify
from service.services.bus_port import EventFeed, WorkSignals
from service.services.clock import utcnow
from service.services.coalescing import Chunk, OutputCoalescer
from service.services.relaying import StdinRelay
from service.services.sandbox_port import SandboxBackend, SandboxHandle, SandboxLaunchError
from service.services.store_port import EventLog, ExecutionRepository
from service.services.tracing_port import ExecutionTracer, NullExecutionTracer, RunSpan

log = logging.getLogger(__name__)

_PENDING_CANCEL_TTL = 60.0
# Unstored output up to this size rides in the terminal write; more is stored first, so the
# record stays far below the store's 16 MiB document limit.
_CARRY_MAX_CHARS = 64 * 1024


class OwnershipLost(Exception):
    """Another process finished this execution (it presumed this worker dead)."""


@dataclass
class _Run:
    execution: Execution
    seq: int
    # The status as stored in the record (the source of the next transition).
    status: ExecutionStatus
    span: RunSpan
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    # Write-behind: events not stored yet (published only when implied by the record), and
    # a RUNNING transition not yet written to the record; all stored by `flush_due`.
    unstored: list[ExecutionEvent] = field(default_factory=list)
    # (its seq, its started_at)
    deferred_running: tuple[int, datetime] | None = None
    flush_due: float | None = None
    # The last seq handed to the bus: events go out in seq order, each once.
    published_until: int = 0

    @property
    def shown_status(self) -> ExecutionStatus:
        """The status subscribers have been told (ahead of the record while deferred)."""
        return ExecutionStatus.RUNNING if self.deferred_running else self.status


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
    ) -> None:
        self._executions = executions
        self._events = events
        self._feed = feed
        self._backend = backend
        self._runtimes = runtimes
        self._worker_id = worker_id
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
        # Events reach this process's subscribers at once; the store gets them in batches at
        # most this late, or with the next status write. A short script then costs one
        # record write and one batch of events instead of a write per event: the embedded
        # store's CPU is what bounds throughput. 0 stores every event as it happens.
        self._write_behind = write_behind_seconds
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
        run = _Run(execution, execution.last_seq, ExecutionStatus.SCHEDULED, span)
        # QUEUED (seq 1) was published by the submission, stored or implied by the record.
        run.published_until = 1
        if queued is not None:
            run.unstored.append(queued)

        async def body() -> None:
            # The record says SCHEDULED since the claim; the event may be stored lazily.
            await self._emit(
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
        run = _Run(execution, seq, execution.status, span, stdout=[stdout], stderr=[stderr])
        run.published_until = seq
        self._handles[execution.id] = handle
        span.launched()
        await self._drive(run, lambda: self._observe(run, handle, span))

    async def _drive(self, run: _Run, body: Callable[[], Awaitable[None]]) -> None:
        execution = run.execution
        try:
            await body()
        except OwnershipLost:
            log.warning("execution %s was finished elsewhere; stopping", execution.id)
        except asyncio.CancelledError:
            if not self._sandboxes_outlive_worker:
                # The worker is shutting down and the sandbox dies with it: say so.
                with contextlib.suppress(OwnershipLost, Exception):
                    await asyncio.shield(
                        self._finish(
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
                await self._finish(
                    run,
                    Verdict(ExecutionStatus.ERROR, None, f"internal error: {type(error).__name__}"),
                )
        finally:
            # However it ended: a run that did not store what it published ahead (ownership
            # lost, a fault) never will, and late listeners must not be handed those events.
            self._feed.run_ended(execution.id)
            self._cancel_pending.pop(execution.id, None)
            self._handles.pop(execution.id, None)
            run.span.end(run.status)

    async def _launch_and_observe(self, run: _Run, span: RunSpan) -> None:
        execution = run.execution
        if execution.cancel_requested or execution.id in self._cancel_pending:
            await self._finish(
                run, Verdict(ExecutionStatus.CANCELLED, None, "cancelled by request")
            )
            return
        runtime = self._runtimes.find(execution.runtime)
        if runtime is None:
            await self._finish(
                run,
                Verdict(
                    ExecutionStatus.ERROR,
                    None,
                    f"runtime {execution.runtime!r} is not offered by this worker",
                ),
            )
            return
        spec = SandboxSpec(
            execution_id=execution.id,
            runtime=runtime,
            script=execution.script,
            limits=execution.limits,
            stdin=execution.stdin.encode() if execution.stdin is not None else None,
            interactive=execution.interactive,
            env=span.sandbox_env(),
        )
        try:
            handle = await self._backend.launch(spec)
        except SandboxLaunchError as error:
            await self._finish(run, Verdict(ExecutionStatus.ERROR, None, str(error)))
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

    async def _observe(self, run: _Run, handle: SandboxHandle, span: RunSpan) -> None:
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
                    await self._write_output(run, coalescer.tick(time.monotonic()))
                    if run.flush_due is not None and run.flush_due <= time.monotonic():
                        await self._flush(run)
                    continue
                if isinstance(observation, SandboxOutput):
                    span.output(len(observation.data))
                    due = coalescer.add(observation.stream, observation.data, time.monotonic())
                    await self._write_output(run, due)
                elif isinstance(observation, SandboxStarted):
                    await self._write_output(run, coalescer.flush())
                    if run.shown_status is ExecutionStatus.SCHEDULED:
                        await self._start_running(run, utcnow())
                        span.started()
                elif isinstance(observation, SandboxFinished):
                    # Not stored on its own: the terminal write carries it.
                    await self._write_output(run, coalescer.flush(final=True), store=False)
                    outcome = observation.outcome
                    if coalescer.cap_reached and outcome.error is None:
                        # Our kill for the stored-output cap, not a user's cancel.
                        outcome = replace(outcome, output_limit_exceeded=True, cancelled=False)
                    verdict = classify(outcome)
                    await self._finish(
                        run,
                        verdict,
                        output_truncated=outcome.output_limit_exceeded,
                        usage=outcome.usage,
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

    async def _write_output(self, run: _Run, chunks: list[Chunk], *, store: bool = True) -> None:
        for chunk in chunks:
            run.seq += 1
            (run.stdout if chunk.stream is OutputStream.STDOUT else run.stderr).append(chunk.text)
            await self._emit(
                run, OutputEvent(run.execution.id, run.seq, utcnow(), chunk.stream, chunk.text)
            )
        if chunks and store:
            # Output is delivered once stored, and the coalescer has already batched it
            # (its linger): store it now, so a trickle streams live; and the record says
            # RUNNING from then on, as the output it shows does.
            await self._flush(run)

    async def _start_running(self, run: _Run, at: datetime) -> None:
        """SCHEDULED -> RUNNING: told to subscribers now, written to the record lazily (with
        the next flush, or folded into the terminal write when the script ends first)."""
        run.seq += 1
        run.deferred_running = (run.seq, at)
        run.span.transition(ExecutionStatus.RUNNING)
        await self._emit(run, StatusEvent(run.execution.id, run.seq, at, ExecutionStatus.RUNNING))

    async def _finish(
        self,
        run: _Run,
        verdict: Verdict,
        *,
        output_truncated: bool | None = None,
        usage: ResourceUsage | None = None,
    ) -> None:
        """The terminal write: record and terminal event in one fenced step, then the log."""
        now = utcnow()
        if run.shown_status is ExecutionStatus.SCHEDULED and verdict.status not in (
            ExecutionStatus.CANCELLED,
            ExecutionStatus.ERROR,
        ):
            # The sandbox ran and ended between two observations: it did run.
            await self._start_running(run, now)
        if sum(len(e.data) for e in run.unstored if isinstance(e, OutputEvent)) > _CARRY_MAX_CHARS:
            await self._store_events(run)
        run.seq += 1
        terminal = StatusEvent(
            run.execution.id,
            run.seq,
            now,
            verdict.status,
            exit_code=verdict.exit_code,
            message=verdict.message,
        )
        carried = [*run.unstored, terminal]
        written = await self._executions.apply(
            run.execution.id,
            Transition(
                run.status,
                verdict.status,
                seq=run.seq,
                via=ExecutionStatus.RUNNING if run.deferred_running is not None else None,
                worker_id=self._worker_id,
                started_at=run.deferred_running[1] if run.deferred_running is not None else None,
                finished_at=now,
                exit_code=verdict.exit_code,
                error_message=verdict.message if verdict.status is ExecutionStatus.ERROR else None,
                output=ExecutionOutput("".join(run.stdout), "".join(run.stderr)),
                output_truncated=output_truncated,
                usage=usage,
                carried=tuple(carried),
            ),
        )
        if not written:
            raise OwnershipLost(run.execution.id)
        run.deferred_running = None
        run.status = verdict.status
        run.span.transition(verdict.status)
        # Durable now: the record holds them. Delivered at once, then appended to the log.
        run.unstored = carried
        self._deliver_unstored(run)
        await self._store_events(run)

    async def _emit(self, run: _Run, event: ExecutionEvent, *, implied: bool = False) -> None:
        """Queue an event for the log (now, or by the write-behind deadline). `implied`: the
        record already determines it (QUEUED, SCHEDULED), so it is delivered at once."""
        run.unstored.append(event)
        if implied:
            self._deliver_unstored(run)
        if self._write_behind <= 0:
            await self._flush(run)
        elif run.flush_due is None:
            run.flush_due = time.monotonic() + self._write_behind

    def _deliver_unstored(self, run: _Run) -> None:
        """Deliver the unstored events not delivered yet, in seq order: only for events the
        record implies (everything else waits for the log)."""
        for event in run.unstored:
            if event.seq > run.published_until:
                self._feed.publish_ahead(event)
                run.published_until = event.seq

    async def _flush(self, run: _Run) -> None:
        """Store every pending event, then write the deferred RUNNING transition (fenced):
        in that order, so that a record never claims a seq whose event a crash could lose."""
        run.flush_due = None
        await self._store_events(run)
        if run.deferred_running is not None:
            seq, started_at = run.deferred_running
            written = await self._executions.apply(
                run.execution.id,
                Transition(
                    run.status,
                    ExecutionStatus.RUNNING,
                    seq=seq,
                    worker_id=self._worker_id,
                    started_at=started_at,
                ),
            )
            if not written:
                raise OwnershipLost(run.execution.id)
            run.deferred_running = None
            run.status = ExecutionStatus.RUNNING

    async def _store_events(self, run: _Run) -> None:
        """Append the pending events to the log, then deliver those not delivered yet."""
        events, run.unstored = run.unstored, []
        if not events:
            return
        await self._events.append_many(events)
        for event in events:
            if event.seq > run.published_until:
                self._feed.publish(event)
                run.published_until = event.seq
        self._feed.settled(run.execution.id, events[-1].seq)
