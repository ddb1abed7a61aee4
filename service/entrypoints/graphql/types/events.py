"""Execution events: status transitions and output chunks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.domain.events import ExecutionEvent as DomainEvent
from service.domain.events import StatusEvent as DomainStatusEvent
from service.entrypoints.graphql.types.enums import ExecutionStatus, OutputStream


@strawberry.type(description="The execution moved to `status`.")
class StatusEvent:
    seq: int
    at: datetime
    status: ExecutionStatus  # type: ignore[valid-type]
    exit_code: int | None = None
    message: str | None = None


@strawberry.type(description="The script wrote `data` to `stream`.")
class OutputEvent:
    seq: int
    at: datetime
    stream: OutputStream  # type: ignore[valid-type]
    data: str


ExecutionEvent = Annotated[StatusEvent | OutputEvent, strawberry.union("ExecutionEvent")]


def event_from_domain(event: DomainEvent) -> StatusEvent | OutputEvent:
    if isinstance(event, DomainStatusEvent):
        return StatusEvent(
            seq=event.seq,
            at=event.at,
            status=event.status,
            exit_code=event.exit_code,
            message=event.message,
        )
    return OutputEvent(seq=event.seq, at=event.at, stream=event.stream, data=event.data)
