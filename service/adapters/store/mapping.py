"""Mapping between raw MongoDB documents and domain records, at the storage boundary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.domain.events import ExecutionEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream, ResourceUsage
from service.domain.statuses import ExecutionStatus


def limits_to_dict(limits: Limits) -> dict[str, Any]:
    return {
        "timeout_seconds": limits.timeout_seconds,
        "memory_mib": limits.memory_mib,
        "cpu_millicores": limits.cpu_millicores,
        "max_processes": limits.max_processes,
        "max_output_bytes": limits.max_output_bytes,
        "disk_mib": limits.disk_mib,
    }


def usage_to_dict(usage: ResourceUsage) -> dict[str, Any]:
    return {
        "cpu_time_ms": usage.cpu_time_ms,
        "peak_memory_kib": usage.peak_memory_kib,
        "wall_time_ms": usage.wall_time_ms,
    }


def execution_to_dict(execution: Execution) -> dict[str, Any]:
    return {
        "_id": execution.id,
        "status": execution.status.value,
        "runtime": execution.runtime,
        "script": execution.script,
        "stdin": execution.stdin,
        "limits": limits_to_dict(execution.limits),
        "created_at": execution.created_at,
        "scheduled_at": execution.scheduled_at,
        "started_at": execution.started_at,
        "finished_at": execution.finished_at,
        "exit_code": execution.exit_code,
        "stdout": execution.stdout,
        "stderr": execution.stderr,
        "output_in_log": execution.output_in_log,
        "output_truncated": execution.output_truncated,
        "usage": usage_to_dict(execution.usage) if execution.usage else None,
        "error_message": execution.error_message,
        "trace_id": execution.trace_id,
        "trace_parent": execution.trace_parent,
        "last_seq": execution.last_seq,
        "cancel_requested": execution.cancel_requested,
        "worker_id": execution.worker_id,
        "owner_id": execution.owner_id,
        "idempotency_key": execution.idempotency_key,
        "interactive": execution.interactive,
        "labels": dict(execution.labels),
        **carried_to_dict(execution.carried_events),
    }


def carried_to_dict(events: Sequence[ExecutionEvent]) -> dict[str, Any]:
    """The `carried_events` column (absent when there are none, as in most records)."""
    return {"carried_events": [event_to_dict(event) for event in events]} if events else {}


def execution_from_dict(raw: dict[str, Any]) -> Execution:
    usage = raw.get("usage")
    return Execution(
        id=raw["_id"],
        status=ExecutionStatus(raw["status"]),
        runtime=raw["runtime"],
        script=raw["script"],
        stdin=raw.get("stdin"),
        limits=Limits(**raw["limits"]),
        created_at=raw["created_at"],
        scheduled_at=raw.get("scheduled_at"),
        started_at=raw.get("started_at"),
        finished_at=raw.get("finished_at"),
        exit_code=raw.get("exit_code"),
        stdout=raw.get("stdout") or "",
        stderr=raw.get("stderr") or "",
        output_in_log=bool(raw.get("output_in_log")),
        output_truncated=bool(raw.get("output_truncated")),
        usage=ResourceUsage(**usage) if usage else None,
        error_message=raw.get("error_message"),
        trace_id=raw.get("trace_id"),
        trace_parent=raw.get("trace_parent"),
        last_seq=int(raw.get("last_seq") or 0),
        cancel_requested=bool(raw.get("cancel_requested")),
        worker_id=raw.get("worker_id"),
        owner_id=raw.get("owner_id"),
        idempotency_key=raw.get("idempotency_key"),
        interactive=bool(raw.get("interactive")),
        labels=dict(raw.get("labels") or {}),
        carried_events=tuple(event_from_dict(e) for e in raw.get("carried_events") or ()),
    )


def event_to_dict(event: ExecutionEvent) -> dict[str, Any]:
    if isinstance(event, StatusEvent):
        return {
            "execution_id": event.execution_id,
            "seq": event.seq,
            "at": event.at,
            "kind": "status",
            "status": event.status.value,
            "exit_code": event.exit_code,
            "message": event.message,
        }
    return {
        "execution_id": event.execution_id,
        "seq": event.seq,
        "at": event.at,
        "kind": "output",
        "stream": event.stream.value,
        "data": event.data,
    }


def event_from_dict(raw: dict[str, Any]) -> ExecutionEvent:
    if raw["kind"] == "status":
        return StatusEvent(
            execution_id=raw["execution_id"],
            seq=raw["seq"],
            at=raw["at"],
            status=ExecutionStatus(raw["status"]),
            exit_code=raw.get("exit_code"),
            message=raw.get("message"),
        )
    return OutputEvent(
        execution_id=raw["execution_id"],
        seq=raw["seq"],
        at=raw["at"],
        stream=OutputStream(raw["stream"]),
        data=raw["data"],
    )
