"""`DisplayEvent`: the script displayed a plot, HTML, JSON or text (the domain's is
:class:`service.domain.events.DisplayEvent`; how it leaves the sandbox is
:mod:`service.domain.display`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.events import DisplayEvent
from service.entrypoints.graphql.types.files import FileType


@strawberry.type(
    name="DisplayEvent",
    description="The script displayed something (a plot, a table as HTML...). `data` is "
    "UTF-8 text for textual types (text/*, image/svg+xml, application/json, *+json, *+xml) "
    "and base64 for the others (image/png).",
)
class DisplayEventType:
    seq: int
    at: datetime
    mime_type: str
    # Non-null, unlike DESIGN.md's `data: String`: a selection of the union that asks for
    # `data` on OutputEvent (String!) and DisplayEvent together must see one type.
    data: str
    file: FileType | None = strawberry.field(
        default=None, description="An image, also kept as one of the run's output files."
    )

    @classmethod
    def from_domain(cls, event: DisplayEvent) -> DisplayEventType:
        return cls(
            seq=event.seq,
            at=event.at,
            mime_type=event.mime_type,
            data=event.data,
            file=FileType.from_domain(event.execution_id, event.file) if event.file else None,
        )
