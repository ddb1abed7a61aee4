"""GraphQL enums, backed by the domain's own enums so values never drift.

`strawberry.enum` registers the domain classes themselves, so these names are the domain's
enums (no separate Python class to tell apart).
"""

from __future__ import annotations

import strawberry

from service.domain.accounts import Role as DomainRole
from service.domain.judging import OutputComparison as DomainOutputComparison
from service.domain.runtimes import RuntimeState as DomainRuntimeState
from service.domain.sandboxes import OutputStream as DomainOutputStream
from service.domain.statuses import ExecutionStatus as DomainExecutionStatus

ExecutionStatus = strawberry.enum(
    DomainExecutionStatus,
    name="ExecutionStatus",
    description="Where an execution is in its life. Terminal: COMPLETED, FAILED, TIMED_OUT, "
    "OOM_KILLED, OUTPUT_LIMIT_EXCEEDED, CANCELLED, ERROR.",
)
OutputStream = strawberry.enum(DomainOutputStream, name="OutputStream")
Role = strawberry.enum(DomainRole, name="Role", description="What a user may do.")
OutputComparison = strawberry.enum(
    DomainOutputComparison,
    name="OutputComparison",
    description="How stdout is compared with expectedStdout: EXACT, or "
    "IGNORE_TRAILING_WHITESPACE (each line's trailing whitespace and trailing empty lines).",
)
RuntimeState = strawberry.enum(
    DomainRuntimeState,
    name="RuntimeState",
    description="READY runs scripts; BUILDING and FAILED are listed but not offered.",
)
