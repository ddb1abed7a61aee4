"""The `ExecutionEvent` union and its members: status transitions, output chunks, displays
(the domain's events are in :mod:`service.domain.events`); streamed by
:mod:`service.entrypoints.graphql.subscriptions.executions`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.domain.events import DisplayEvent, ExecutionEvent, StatusEvent
from service.entrypoints.graphql.types.display import DisplayEventType
from service.entrypoints.graphql.types.enums import ExecutionStatus, OutputStream


@strawberry.type(name="StatusEvent", description="The execution moved to `status`.")
class StatusEventType:
    seq: int
    at: datetime
    status: ExecutionStatus  # type: ignore[valid-type]
    exit_code: int | None = None
    message: str | None = None


@strawberry.type(name="OutputEvent", description="The script wrote `data` to `stream`.")
class OutputEventType:
    seq: int
    at: datetime
    stream: OutputStream  # type: ignore[valid-type]
    data: str


ExecutionEventType = Annotated[
    StatusEventType | OutputEventType | DisplayEventType, strawberry.union("ExecutionEvent")
]


def event_from_domain(
    event: ExecutionEvent,
) -> StatusEventType | OutputEventType | DisplayEventType:
    if isinstance(event, StatusEvent):
        return StatusEventType(
            seq=event.seq,
            at=event.at,
            status=event.status,
            exit_code=event.exit_code,
            message=event.message,
        )
    if isinstance(event, DisplayEvent):
        return DisplayEventType.from_domain(event)
    return OutputEventType(seq=event.seq, at=event.at, stream=event.stream, data=event.data)
