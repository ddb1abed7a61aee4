"""Recording one run: its events and status writes, durable before delivered.

The observer (:mod:`service.services.worker.observing`) turns what a sandbox does into events; this
module decides when each is stored, written to the record and delivered, so that a crash can
never take back an event a subscriber received (docs/architecture.md tells the whole
protocol):

- output is appended to the log as the coalescer emits it, then published;
- RUNNING is told at once but written to the record with the next output, by the
  write-behind deadline, or folded into the terminal write;
- QUEUED and SCHEDULED are implied by the record and published at once;
- the terminal write carries what is still unstored and the terminal event itself, so the
  verdict is delivered after one record write; the log gets them right after (or from
  :mod:`service.services.executions.repairing` when a crash came between).

Every status write is one fenced `Transition` on this worker's id: a worker presumed dead
and recovered elsewhere gets `OwnershipLost` instead of overwriting the outcome.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from service.domain.events import DisplayEvent, ExecutionEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.files import FileContent, StoredFile
from service.domain.sandboxes import OutputStream, ResourceUsage
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import ExecutionFiles, ExecutionOutput, Transition
from service.domain.verdicts import Verdict
from service.services.clock import utcnow
from service.services.ports.bus import EventFeed
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.ports.tracing import RunSpan
from service.services.worker.coalescing import Chunk
from service.services.workspaces.running import WorkspaceStart

# Unstored output up to this size rides in the terminal write; more is stored first, so the
# record stays far below the store's 16 MiB document limit.
_CARRY_MAX_CHARS = 64 * 1024


class OwnershipLost(Exception):
    """Another process finished this execution (it presumed this worker dead)."""


@dataclass
class RunState:
    """One run as the recorder keeps it: what is stored, what is delivered, what waits."""

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
    # Images displayed, each also kept as an output file (listed with the run's files).
    display_files: list[StoredFile] = field(default_factory=list)
    # A workspace run: what it started with, and its own input files' contents.
    workspace_start: WorkspaceStart | None = None
    own_inputs: tuple[FileContent, ...] = ()

    @property
    def shown_status(self) -> ExecutionStatus:
        """The status subscribers have been told (ahead of the record while deferred)."""
        return ExecutionStatus.RUNNING if self.deferred_running else self.status


class RunRecorder:
    """Stores, writes and delivers the events of the runs of one worker (see the module
    docstring for the order)."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        worker_id: str,
        write_behind_seconds: float,
    ) -> None:
        self._executions = executions
        self._events = events
        self._feed = feed
        self._worker_id = worker_id
        # Events reach this process's subscribers at once; the store gets them in batches at
        # most this late, or with the next status write. A short script then costs one
        # record write and one batch of events instead of a write per event: the embedded
        # store's CPU is what bounds throughput. 0 stores every event as it happens.
        self._write_behind = write_behind_seconds

    async def write_output(self, run: RunState, chunks: list[Chunk], *, store: bool = True) -> None:
        for chunk in chunks:
            run.seq += 1
            (run.stdout if chunk.stream is OutputStream.STDOUT else run.stderr).append(chunk.text)
            await self.emit(
                run, OutputEvent(run.execution.id, run.seq, utcnow(), chunk.stream, chunk.text)
            )
        if chunks and store:
            # Output is delivered once stored, and the coalescer has already batched it
            # (its linger): store it now, so a trickle streams live; and the record says
            # RUNNING from then on, as the output it shows does.
            await self.flush(run)

    async def write_display(
        self, run: RunState, mime_type: str, data: str, file: StoredFile | None = None
    ) -> None:
        """A display, numbered after the output before it and stored like output."""
        run.seq += 1
        await self.emit(
            run, DisplayEvent(run.execution.id, run.seq, utcnow(), mime_type, data, file)
        )
        await self.flush(run)

    async def start_running(self, run: RunState, at: datetime) -> None:
        """SCHEDULED -> RUNNING: told to subscribers now, written to the record lazily (with
        the next flush, or folded into the terminal write when the script ends first)."""
        run.seq += 1
        run.deferred_running = (run.seq, at)
        run.span.transition(ExecutionStatus.RUNNING)
        await self.emit(run, StatusEvent(run.execution.id, run.seq, at, ExecutionStatus.RUNNING))

    async def finish(
        self,
        run: RunState,
        verdict: Verdict,
        *,
        output_truncated: bool | None = None,
        usage: ResourceUsage | None = None,
        files: ExecutionFiles | None = None,
    ) -> None:
        """The terminal write: record and terminal event in one fenced step, then the log."""
        now = utcnow()
        if run.shown_status is ExecutionStatus.SCHEDULED and verdict.status not in (
            ExecutionStatus.CANCELLED,
            ExecutionStatus.ERROR,
        ):
            # The sandbox ran and ended between two observations: it did run.
            await self.start_running(run, now)
        carried_chars = sum(
            len(e.data) for e in run.unstored if isinstance(e, OutputEvent | DisplayEvent)
        )
        if carried_chars > _CARRY_MAX_CHARS:
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
                files=files,
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

    async def emit(self, run: RunState, event: ExecutionEvent, *, implied: bool = False) -> None:
        """Queue an event for the log (now, or by the write-behind deadline). `implied`: the
        record already determines it (QUEUED, SCHEDULED), so it is delivered at once."""
        run.unstored.append(event)
        if implied:
            self._deliver_unstored(run)
        if self._write_behind <= 0:
            await self.flush(run)
        elif run.flush_due is None:
            run.flush_due = time.monotonic() + self._write_behind

    def _deliver_unstored(self, run: RunState) -> None:
        """Deliver the unstored events not delivered yet, in seq order: only for events the
        record implies (everything else waits for the log)."""
        for event in run.unstored:
            if event.seq > run.published_until:
                self._feed.publish_ahead(event)
                run.published_until = event.seq

    async def flush(self, run: RunState) -> None:
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

    async def _store_events(self, run: RunState) -> None:
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
