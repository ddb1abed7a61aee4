"""`RunTestCasesInput`: one script and the cases it is judged against."""

from __future__ import annotations

import strawberry

from service.domain.accounts import Principal

# The domain's enum, which `types.enums` registers as the GraphQL `OutputComparison`.
from service.domain.judging import OutputComparison
from service.entrypoints.graphql.input_types.limits_input import LimitsInput
from service.services.executions.judging import TestCase
from service.services.executions.submitting import SubmitRequest


@strawberry.input
class TestCaseInput:
    expected_stdout: str
    stdin: str | None = None

    def to_domain(self) -> TestCase:
        return TestCase(expected_stdout=self.expected_stdout, stdin=self.stdin)


@strawberry.input
class RunTestCasesInput:
    script: str
    cases: list[TestCaseInput]
    runtime: str | None = None
    limits: LimitsInput | None = None
    stdout_comparison: OutputComparison | None = strawberry.field(
        default=OutputComparison.EXACT, description="How each case's stdout is compared."
    )
    wait: bool | None = strawberry.field(
        default=False,
        description="Answer once every case has ended (bounded by the largest timeout and "
        "a minute); otherwise at once, with the cases queued.",
    )

    def to_request(self, principal: Principal, trace_parent: str | None) -> SubmitRequest:
        return SubmitRequest(
            script=self.script,
            runtime=self.runtime,
            limits=self.limits.to_domain() if self.limits else None,
            stdout_comparison=self.stdout_comparison or OutputComparison.EXACT,
            trace_parent=trace_parent,
            principal=principal,
        )
