"""GraphQL enums, backed by the domain's own enums so values never drift."""

from __future__ import annotations

import strawberry

from service.domain.sandboxes import OutputStream as DomainOutputStream
from service.domain.statuses import ExecutionStatus as DomainExecutionStatus

ExecutionStatus = strawberry.enum(
    DomainExecutionStatus,
    name="ExecutionStatus",
    description="Where an execution is in its life. Terminal: COMPLETED, FAILED, TIMED_OUT, "
    "OOM_KILLED, OUTPUT_LIMIT_EXCEEDED, CANCELLED, ERROR.",
)
OutputStream = strawberry.enum(DomainOutputStream, name="OutputStream")
