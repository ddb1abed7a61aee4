"""Answers of `sendExecutionInput` besides the shared errors."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.enums import ExecutionStatus
from service.entrypoints.graphql.types.errors import Error


@strawberry.type(
    description="The input is stored and goes to the script's stdin in order, once the "
    "sandbox runs (at once when it already does)."
)
class InputAccepted:
    id: strawberry.ID = strawberry.field(description="The execution's id.")
    seq: int = strawberry.field(
        description="Position of this input among all input sent to the execution (1, 2, …)."
    )
    bytes: int = strawberry.field(description="Size of `data` in UTF-8.")
    eof: bool = strawberry.field(description="Stdin is closed after this input.")


@strawberry.type(description="The execution has ended; nothing can be written to its stdin.")
class ExecutionNotRunning(Error):
    id: strawberry.ID
    status: ExecutionStatus  # type: ignore[valid-type]


@strawberry.type(
    description="The execution's stdin takes no more input: it was not submitted with "
    "`interactive: true`, or `eof` was already sent."
)
class StdinClosed(Error):
    id: strawberry.ID
