"""Mutations on executions: submit, cancel, and write to an interactive one's stdin.

Submitting hands over to :mod:`service.services.executions.submitting`; the execution's
events then stream through :mod:`service.entrypoints.graphql.subscriptions.executions`.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.adapters.telemetry.tracing import current_trace_parent
from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.execute_script_input import ExecuteScriptInput
from service.entrypoints.graphql.permissions import Authenticated, as_auth_error
from service.entrypoints.graphql.problems import EXECUTION_ERRORS, PROBLEMS
from service.entrypoints.graphql.types.execution import ExecutionType
from service.entrypoints.graphql.types.input_accepted import InputAccepted
from service.entrypoints.graphql.types.payloads import (
    CancelExecutionPayload,
    ExecuteScriptPayload,
    SendExecutionInputPayload,
)
from service.services.problems import InputProblem


@strawberry.type
class ExecutionMutationMixin:
    @strawberry.mutation(
        description="Queue a script to run in a fresh sandbox.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def execute_script(
        self, info: Info[Context, None], principal: Principal, input: ExecuteScriptInput
    ) -> ExecuteScriptPayload:
        request = input.to_request(principal, current_trace_parent())
        if isinstance(request, InputProblem):
            return EXECUTION_ERRORS(request)
        result = await info.context.use_cases.submitter.submit(request)
        if isinstance(result, PROBLEMS):
            return EXECUTION_ERRORS(result)
        info.context.metrics.submitted.labels(result.runtime).inc()
        return ExecutionType.from_domain(result)

    @strawberry.mutation(
        description="Cancel an execution: kills its sandbox. Cancelling a finished execution "
        "returns it unchanged.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def cancel_execution(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> CancelExecutionPayload:
        result = await info.context.use_cases.canceller.cancel(str(id), principal=principal)
        if isinstance(result, PROBLEMS):
            return EXECUTION_ERRORS(result)
        return ExecutionType.from_domain(result)

    @strawberry.mutation(
        description="Write to the stdin of an execution submitted with `interactive: true`. "
        "Input is delivered in the order it was accepted, each byte once; it may be sent "
        "while the execution is still queued. `eof: true` closes stdin after `data` (which "
        "may then be empty).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def send_execution_input(
        self,
        info: Info[Context, None],
        principal: Principal,
        id: strawberry.ID,
        data: str,
        eof: bool | None = False,
    ) -> SendExecutionInputPayload:
        result = await info.context.use_cases.feeder.send(
            str(id), data, principal=principal, eof=bool(eof)
        )
        if isinstance(result, PROBLEMS):
            return EXECUTION_ERRORS(result, id=str(id))
        return InputAccepted.from_domain(result)
