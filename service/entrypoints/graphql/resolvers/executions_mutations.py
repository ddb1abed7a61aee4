"""Mutations on executions."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from service.adapters.telemetry.tracing import current_trace_parent
from service.entrypoints.graphql.context import Context, caller
from service.entrypoints.graphql.inputs import ExecuteScriptInput
from service.entrypoints.graphql.types.auth import AuthError, QuotaExceeded
from service.entrypoints.graphql.types.errors import ExecutionNotFound, InputError
from service.entrypoints.graphql.types.execution import Execution
from service.services.executions.submitting import SubmitRequest
from service.services.problems import AuthProblem, InputProblem, NotFound, QuotaProblem

ExecuteScriptPayload = Annotated[
    Execution | InputError | QuotaExceeded | AuthError, strawberry.union("ExecuteScriptPayload")
]
CancelExecutionPayload = Annotated[
    Execution | ExecutionNotFound | AuthError, strawberry.union("CancelExecutionPayload")
]


@strawberry.type
class ExecutionMutations:
    @strawberry.mutation(description="Queue a script to run in a fresh sandbox.")
    async def execute_script(
        self, info: Info[Context, None], input: ExecuteScriptInput
    ) -> ExecuteScriptPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return AuthError.from_domain(principal)
        result = await info.context.use_cases.submitter.submit(
            SubmitRequest(
                script=input.script,
                runtime=input.runtime,
                stdin=input.stdin,
                limits=input.limits.to_domain() if input.limits else None,
                idempotency_key=input.idempotency_key,
                interactive=bool(input.interactive),
                trace_parent=current_trace_parent(),
                principal=principal,
            )
        )
        if isinstance(result, InputProblem):
            return InputError(message=result.message, field=result.field)
        if isinstance(result, QuotaProblem):
            return QuotaExceeded.from_domain(result)
        info.context.metrics.submitted.labels(result.runtime).inc()
        return Execution.from_domain(result)

    @strawberry.mutation(
        description="Cancel an execution: kills its sandbox. Cancelling a finished execution "
        "returns it unchanged."
    )
    async def cancel_execution(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> CancelExecutionPayload:
        principal = await caller(info)
        if isinstance(principal, AuthProblem):
            return AuthError.from_domain(principal)
        result = await info.context.use_cases.canceller.cancel(str(id), principal=principal)
        if isinstance(result, NotFound):
            return ExecutionNotFound(message=result.message, id=strawberry.ID(result.id))
        return Execution.from_domain(result)
