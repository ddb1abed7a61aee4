"""The `ExecutionEvent` union and its members: status transitions, output chunks, displays
(the domain's events are in :mod:`service.domain.events`); streamed by
:mod:`service.entrypoints.graphql.subscriptions.executions`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.domain.events import DisplayEvent, ExecutionEvent, FileEvent, StatusEvent
from service.entrypoints.graphql.types.display import DisplayEventType
from service.entrypoints.graphql.types.enums import ExecutionStatus, OutputStream
from service.entrypoints.graphql.types.files import FileType


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


@strawberry.type(
    name="FileEvent",
    description="A file the script left was stored (all come before the terminal event).",
)
class FileEventType:
    seq: int
    at: datetime
    file: FileType


ExecutionEventType = Annotated[
    StatusEventType | OutputEventType | DisplayEventType | FileEventType,
    strawberry.union("ExecutionEvent"),
]


def event_from_domain(
    event: ExecutionEvent,
) -> StatusEventType | OutputEventType | DisplayEventType | FileEventType:
    if isinstance(event, FileEvent):
        return FileEventType(
            seq=event.seq, at=event.at, file=FileType.from_domain(event.execution_id, event.file)
        )
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
