"""`runTestCases`: one script judged against many cases
(:mod:`service.services.executions.judging`)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from service.adapters.telemetry.tracing import current_trace_parent
from service.domain.accounts import Principal
from service.domain.executions import Execution
from service.domain.judging import output_matches
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.test_cases_input import RunTestCasesInput
from service.entrypoints.graphql.mutations.batches import payload_of
from service.entrypoints.graphql.permissions import Authenticated, as_auth_error
from service.entrypoints.graphql.types.errors import AuthError, InputError
from service.entrypoints.graphql.types.test_cases import TestCaseResult, TestCasesRun

RunTestCasesPayload = Annotated[
    TestCasesRun | InputError | AuthError, strawberry.union("RunTestCasesPayload")
]


@strawberry.type
class TestCaseMutationMixin:
    @strawberry.mutation(
        description="Run one script once per case, each with the case's stdin, and judge "
        "its stdout against the case's expectedStdout.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def run_test_cases(
        self, info: Info[Context, None], principal: Principal, input: RunTestCasesInput
    ) -> RunTestCasesPayload:
        runner = info.context.use_cases.test_cases
        assert runner is not None, "test cases are wired in every API"
        if not input.cases:
            return InputError(message="give at least one case", field="cases")
        results = await runner.run(
            input.to_request(principal, current_trace_parent()),
            [case.to_domain() for case in input.cases],
            wait=bool(input.wait),
        )
        cases = []
        tally = {"passed": 0, "failed": 0, "pending": 0, "refused": 0}
        for index, result in enumerate(results):
            verdict: bool | None = None
            if not isinstance(result, Execution):
                tally["refused"] += 1
            elif not result.status.is_terminal:
                tally["pending"] += 1
            else:
                verdict = output_matches(await info.context.output_loader.load(result))
                tally["passed" if verdict else "failed"] += 1
            cases.append(
                TestCaseResult(index=index, result=payload_of(info, result), passed=verdict)
            )
        return TestCasesRun(cases=cases, **tally)
