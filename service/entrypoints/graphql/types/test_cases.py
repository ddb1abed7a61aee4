"""`TestCasesRun` and `TestCaseResult`: a script judged against its cases."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.payloads import ExecuteScriptPayload


@strawberry.type(description="One case: its execution (or why it was refused) and verdict.")
class TestCaseResult:
    index: int
    result: ExecuteScriptPayload
    passed: bool | None = strawberry.field(
        description="Its execution's outputMatches: null while it runs or when refused."
    )


@strawberry.type(description="Every case of a runTestCases, in order, and the tally so far.")
class TestCasesRun:
    cases: list[TestCaseResult]
    passed: int
    failed: int
    pending: int = strawberry.field(description="Cases still queued or running.")
    refused: int = strawberry.field(description="Cases not run (an InputError, a quota).")
