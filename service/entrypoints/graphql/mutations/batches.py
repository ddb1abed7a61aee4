"""Batch mutations: many scripts in one call (:mod:`service.services.executions.batching`)."""

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
from service.entrypoints.graphql.types.payloads import ExecuteScriptPayload
from service.services.executions.batching import Batches, SubmitResult


def batches_of(info: Info[Context, None]) -> Batches:
    batches = info.context.use_cases.batches
    assert batches is not None, "batches are wired in every API"
    return batches


def payload_of(info: Info[Context, None], result: SubmitResult) -> ExecuteScriptPayload:
    if isinstance(result, PROBLEMS):
        return EXECUTION_ERRORS(result)
    info.context.metrics.submitted.labels(result.runtime).inc()
    return ExecutionType.from_domain(result)


@strawberry.type
class BatchMutationMixin:
    @strawberry.mutation(
        description="Queue many scripts: one payload per input, in order. Each input is "
        "checked as `executeScript` checks it and the quotas count the batch as a whole; a "
        "refused input (its InputError's field says which: `inputs[3].script`) does not "
        "refuse the others.",
        extensions=[Authenticated(refused=lambda problem: [as_auth_error(problem)])],
    )
    async def execute_scripts(
        self, info: Info[Context, None], principal: Principal, inputs: list[ExecuteScriptInput]
    ) -> list[ExecuteScriptPayload]:
        trace_parent = current_trace_parent()
        results = await batches_of(info).submit_all(
            [i.to_request(principal, trace_parent) for i in inputs]
        )
        return [payload_of(info, r) for r in results]
