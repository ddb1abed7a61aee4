"""Interactive stdin: the `sendExecutionInput` mutation."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from service.domain.statuses import ExecutionStatus as DomainExecutionStatus
from service.entrypoints.graphql.context import Context, caller
from service.entrypoints.graphql.types.auth import AuthError
from service.entrypoints.graphql.types.errors import ExecutionNotFound, InputError
from service.entrypoints.graphql.types.stdin import (
    ExecutionNotRunning,
    InputAccepted,
    StdinClosed,
)
from service.services.problems import AuthProblem, InputProblem, NotFound, NotRunning
from service.services.problems import StdinClosed as StdinClosedProblem

SendExecutionInputPayload = Annotated[
    InputAccepted | InputError | ExecutionNotFound | ExecutionNotRunning | StdinClosed | AuthError,
    strawberry.union("SendExecutionInputPayload"),
]


@strawberry.type
class ExecutionInputMutations:
    @strawberry.mutation(
        description="Write to the stdin of an execution submitted with `interactive: true`. "
        "Input is delivered in the order it was accepted, each byte once; it may be sent "
        "while the execution is still queued. `eof: true` closes stdin after `data` (which "
        "may then be empty)."
    )
    async def send_execution_input(
        self, info: Info[Context, None], id: strawberry.ID, data: str, eof: bool | None = False
    ) -> SendExecutionInputPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return AuthError.from_domain(principal)
        result = await info.context.use_cases.feeder.send(
            str(id), data, principal=principal, eof=bool(eof)
        )
        if isinstance(result, InputProblem):
            return InputError(message=result.message, field=result.field)
        if isinstance(result, NotFound):
            return ExecutionNotFound(message=result.message, id=strawberry.ID(result.id))
        if isinstance(result, NotRunning):
            return ExecutionNotRunning(
                message=result.message, id=id, status=DomainExecutionStatus(result.status)
            )
        if isinstance(result, StdinClosedProblem):
            return StdinClosed(message=result.message, id=strawberry.ID(result.id))
        return InputAccepted(
            id=strawberry.ID(result.execution_id),
            seq=result.seq,
            bytes=len(result.data.encode("utf-8")),
            eof=result.eof,
        )
