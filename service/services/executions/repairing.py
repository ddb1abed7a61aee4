"""Repairing what a crash can leave, and ending executions nobody can finish any more.

A worker delivers an event to subscribers only once it is durable: stored in the log, or
implied by a record write that happened before the delivery — the QUEUED and SCHEDULED events
(their seq and time are in the record), and the events a terminal write carries
(`Execution.carried_events`: the last output and the terminal status itself, written with
the record in one step, then appended to the log). A crash between that record write and the
log's append leaves the log short of the record; `complete_log` appends exactly the events
that were delivered, so a client that resumes from any seq it received gets the rest. The
unique (execution_id, seq) index makes every append here idempotent.
"""

from __future__ import annotations

from service.domain.events import ExecutionEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import ExecutionOutput, Transition
from service.services.clock import utcnow
from service.services.ports.bus import EventFeed
from service.services.ports.store import EventLog, ExecutionRepository


def implied_events(execution: Execution) -> list[ExecutionEvent]:
    """The events the record alone determines, in seq order."""
    implied: list[ExecutionEvent] = [
        StatusEvent(execution.id, 1, execution.created_at, ExecutionStatus.QUEUED)
    ]
    if execution.scheduled_at is not None and execution.last_seq >= 2:
        # A claim reserves seq 2 for SCHEDULED: nothing can come between it and QUEUED.
        implied.append(
            StatusEvent(execution.id, 2, execution.scheduled_at, ExecutionStatus.SCHEDULED)
        )
    implied.extend(execution.carried_events)
    if execution.status.is_terminal and not any(
        event.seq == execution.last_seq for event in execution.carried_events
    ):
        # Written without carrying its event (a cancel before the run, an end as ERROR):
        # the event is derived from the record's fields.
        implied.append(
            StatusEvent(
                execution.id,
                execution.last_seq,
                execution.finished_at or execution.started_at or utcnow(),
                execution.status,
                exit_code=execution.exit_code,
                message=execution.error_message,
            )
        )
    return implied


async def complete_log(execution: Execution, events: EventLog, feed: EventFeed) -> bool:
    """Append the implied events the log does not hold yet; True when it appended any."""
    stored = await events.last_seq(execution.id)
    if stored >= execution.last_seq:
        return False
    missing = [event for event in implied_events(execution) if event.seq > stored]
    if not missing:
        return False
    await events.append_many(missing)
    for event in missing:
        feed.publish(event)
    return True


async def end_as_error(
    execution: Execution,
    message: str,
    *,
    worker_id: str | None,
    executions: ExecutionRepository,
    events: EventLog,
    feed: EventFeed,
) -> bool:
    """End an execution that can no longer finish as ERROR, keeping the output stored so
    far; fenced on its status and on `worker_id` as owner. False when it moved on meanwhile.

    Every event a client may have received is in the log once `complete_log` ran, so the
    ERROR event takes the next seq after all of them."""
    await complete_log(execution, events, feed)
    seq = max(execution.last_seq, await events.last_seq(execution.id)) + 1
    stdout, stderr = await events.output_of(execution.id)
    now = utcnow()
    written = await executions.apply(
        execution.id,
        Transition(
            execution.status,
            ExecutionStatus.ERROR,
            seq=seq,
            worker_id=worker_id,
            finished_at=now,
            error_message=message,
            output=ExecutionOutput(stdout, stderr),
        ),
    )
    if not written:
        return False
    event = StatusEvent(execution.id, seq, now, ExecutionStatus.ERROR, message=message)
    if await events.append(event):
        feed.publish(event)
    return True
