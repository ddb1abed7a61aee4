"""`ExecuteScriptInput`: what `executeScript` runs, and how."""

from __future__ import annotations

import strawberry

from service.domain.accounts import Principal

# The domain's enum, which `types.enums` registers as the GraphQL `OutputComparison`.
from service.domain.judging import OutputComparison
from service.entrypoints.graphql.input_types.file_input import (
    EnvVarInput,
    FileInput,
    files_to_domain,
)
from service.entrypoints.graphql.input_types.limits_input import LimitsInput
from service.services.executions.submitting import SubmitRequest
from service.services.problems import InputProblem


@strawberry.input
class ExecuteScriptInput:
    script: str
    runtime: str | None = strawberry.field(
        default=None, description="Runtime id or alias; the default runtime when omitted."
    )
    stdin: str | None = strawberry.field(
        default=None,
        description="Written to the script's stdin, which is then closed (unless interactive).",
    )
    interactive: bool | None = strawberry.field(
        default=False,
        description="Keep stdin open after `stdin`: send more with `sendExecutionInput`, "
        "end it with `eof: true`.",
    )
    limits: LimitsInput | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Submitting again with the same key returns the first execution.",
    )
    callback_url: str | None = strawberry.field(
        default=None,
        description="POSTed when the execution ends (Standard Webhooks signed with the "
        "execution's `callbackSecret`; retried until it answers 2xx, see docs/webhooks.md).",
    )

    expected_stdout: str | None = strawberry.field(
        default=None,
        description="What stdout should be: the execution's `outputMatches` says whether it was.",
    )
    stdout_comparison: OutputComparison | None = strawberry.field(
        default=OutputComparison.EXACT, description="How stdout is compared with expectedStdout."
    )

    files: list[FileInput] | None = strawberry.field(
        default=None,
        description="Placed under /work before the script starts; together at most the "
        "run's disk limit.",
    )
    argv: list[str] | None = strawberry.field(
        default=None, description="The script's arguments (sys.argv[1:])."
    )
    env: list[EnvVarInput] | None = strawberry.field(
        default=None,
        description="Environment variables; names that change how the interpreter or the "
        "sandbox behaves (PYTHON*, LD_*, LC_*, PATH, HOME…) are refused.",
    )

    workspace_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Run on this workspace of the caller's: its files are in /work at the "
        "start (`files` over them), and when the script ends on its own (COMPLETED or "
        "FAILED) what it left there becomes the workspace. Runs on one workspace take turns.",
    )

    def to_request(
        self, principal: Principal, trace_parent: str | None
    ) -> SubmitRequest | InputProblem:
        """The submission this input asks for (one of a batch, or alone), or the problem
        with a file's content that does not decode."""
        files = files_to_domain(self.files)
        if isinstance(files, InputProblem):
            return files
        return SubmitRequest(
            script=self.script,
            runtime=self.runtime,
            stdin=self.stdin,
            limits=self.limits.to_domain() if self.limits else None,
            idempotency_key=self.idempotency_key,
            interactive=bool(self.interactive),
            trace_parent=trace_parent,
            callback_url=self.callback_url,
            expected_stdout=self.expected_stdout,
            stdout_comparison=self.stdout_comparison or OutputComparison.EXACT,
            principal=principal,
            files=files,
            argv=tuple(self.argv or ()),
            env=tuple((var.name, var.value) for var in self.env or ()),
            workspace_id=str(self.workspace_id) if self.workspace_id is not None else None,
        )
