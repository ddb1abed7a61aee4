"""Repairing what a crash can leave: a status written to the Execution whose event was not
yet appended (the event log is what clients read, so the missing event is derived from the
record and appended, idempotently: the unique seq index drops a duplicate), and executions
nobody can finish any more, which end as ERROR with the output stored so far."""

from __future__ import annotations

from service.domain.events import StatusEvent
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.services.bus_port import EventBus
from service.services.clock import utcnow
from service.services.store_port import EventLog, ExecutionRepository


async def repair_missing_status_event(
    execution: Execution, events: EventLog, bus: EventBus
) -> bool:
    """Append the status event at `execution.last_seq` if the log stops right before it."""
    stored = await events.last_seq(execution.id)
    # A non-terminal status is repaired only right after the log's end (later events fill
    # any other gap). A terminal one is appended whatever precedes it: a worker that died
    # between its terminal write and its last batch of events must not leave subscribers
    # waiting for events that will never come.
    if stored >= execution.last_seq:
        return False
    if stored != execution.last_seq - 1 and not execution.status.is_terminal:
        return False
    at = execution.finished_at or execution.started_at or execution.scheduled_at or utcnow()
    event = StatusEvent(
        execution.id,
        execution.last_seq,
        at,
        execution.status,
        exit_code=execution.exit_code,
        message=execution.error_message,
    )
    appended = await events.append(event)
    if appended:
        bus.publish(event)
    return appended


async def end_as_error(
    execution: Execution,
    message: str,
    *,
    worker_id: str | None,
    executions: ExecutionRepository,
    events: EventLog,
    bus: EventBus,
) -> bool:
    """End an execution that can no longer finish as ERROR, keeping the output stored so
    far; fenced on its status and on `worker_id` as owner. False when it moved on meanwhile."""
    seq = max(execution.last_seq, await events.last_seq(execution.id)) + 1
    stdout, stderr = await events.output_of(execution.id)
    now = utcnow()
    written = await executions.transition(
        execution.id,
        expected={execution.status},
        status=ExecutionStatus.ERROR,
        seq=seq,
        fields={
            "finished_at": now,
            "error_message": message,
            "stdout": stdout,
            "stderr": stderr,
        },
        worker_id=worker_id,
    )
    if not written:
        return False
    event = StatusEvent(execution.id, seq, now, ExecutionStatus.ERROR, message=message)
    if await events.append(event):
        bus.publish(event)
    return True
