"""`Execution`: one run of one script, as the API shows it (the domain's record is
:class:`service.domain.executions.Execution`)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.domain.executions import Execution
from service.domain.judging import output_matches
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.types.enums import ExecutionStatus, OutputComparison
from service.entrypoints.graphql.types.files import FileType, SkippedFileType
from service.entrypoints.graphql.types.limits import LimitsType
from service.entrypoints.graphql.types.node import Node
from service.entrypoints.graphql.types.resource_usage import ResourceUsageType
from service.entrypoints.graphql.types.workspace import WorkspaceType


@strawberry.type(name="Execution", description="One run of one script.")
class ExecutionType(Node):
    status: ExecutionStatus  # type: ignore[valid-type]
    runtime: str
    script: str
    stdin: str | None
    limits: LimitsType
    exit_code: int | None = strawberry.field(
        description="The script's exit code; 128+n when a signal ended it."
    )
    output_truncated: bool = strawberry.field(
        description="Output went over maxOutputBytes; stdout/stderr hold the first bytes."
    )
    usage: ResourceUsageType | None
    error_message: str | None = strawberry.field(
        description="Why the execution ended as ERROR (an infrastructure fault)."
    )
    trace_id: str | None = strawberry.field(description="OpenTelemetry trace id (hex).")
    created_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    last_seq: int = strawberry.field(description="The seq of the newest event so far.")
    interactive: bool = strawberry.field(
        description="Stdin stays open for `sendExecutionInput` while the script runs."
    )

    callback_url: str | None = strawberry.field(
        description="Where the execution's end is POSTed (`ExecuteScriptInput.callbackUrl`)."
    )
    callback_secret: str | None = strawberry.field(
        description="The secret that signs the callback (Standard Webhooks, `whsec_…`)."
    )

    expected_stdout: str | None = strawberry.field(
        description="What stdout should be (`ExecuteScriptInput.expectedStdout`)."
    )
    stdout_comparison: OutputComparison = strawberry.field(  # type: ignore[valid-type]
        description="How stdout is compared with expectedStdout."
    )
    input_files: list[FileType] = strawberry.field(description="Files given to the run.")
    output_files: list[FileType] = strawberry.field(
        description="Files the run created or changed under /work, once it ended (not "
        "after ERROR, nor after a kill for time, output or a cancel)."
    )
    skipped_files: list[SkippedFileType] = strawberry.field(
        description="Files the run left that were not kept, and why (symlinks, FIFOs, "
        "devices, unsupported names, over the limits)."
    )
    argv: list[str] = strawberry.field(description="The script's arguments.")

    _record: strawberry.Private[Execution]

    @strawberry.field(
        description="Whether stdout is the expected one: null while running or when nothing "
        "is expected; false when the execution did not complete (any other verdict)."
    )
    async def output_matches(self, info: Info[Context, None]) -> bool | None:
        if self._record.expected_stdout is None or not self._record.status.is_terminal:
            return None
        return output_matches(await info.context.output_loader.load(self._record))

    @strawberry.field(
        description="The workspace it runs on; null when none, or the caller may no longer "
        "see it (deleted)."
    )
    async def workspace(self, info: Info[Context, None]) -> WorkspaceType | None:
        workspace_id = self._record.workspace_id
        workspaces = info.context.use_cases.workspaces
        if workspace_id is None or workspaces is None:
            return None
        principal = await info.context.caller()
        if not isinstance(principal, Principal):
            return None
        found = await workspaces.get(principal, workspace_id)
        return None if found is None else WorkspaceType.from_domain(found, workspaces.quota_bytes)

    @strawberry.field(
        description="A workspace run that ended: whether its workspace took what it left in "
        "/work (null while it runs, or without a workspace)."
    )
    def workspace_updated(self) -> bool | None:
        record = self._record
        if record.workspace_id is None or not record.status.is_terminal:
            return None
        return bool(record.workspace_updated)

    @strawberry.field(
        description="Why its workspace did not take what it left, or what it did not take."
    )
    def workspace_message(self) -> str | None:
        record = self._record
        if record.workspace_id is None or not record.status.is_terminal:
            return None
        if record.workspace_updated is None:
            return "the workspace keeps its files: the run ended before it could use them"
        return record.workspace_message

    @strawberry.field(description="Everything written to stdout so far.")
    async def stdout(self, info: Info[Context, None]) -> str:
        return (await info.context.output_loader.load(self._record)).stdout

    @strawberry.field(description="Everything written to stderr so far.")
    async def stderr(self, info: Info[Context, None]) -> str:
        return (await info.context.output_loader.load(self._record)).stderr

    @classmethod
    def from_domain(cls, execution: Execution) -> ExecutionType:
        return cls(
            id=strawberry.ID(execution.id),
            status=execution.status,
            runtime=execution.runtime,
            script=execution.script,
            stdin=execution.stdin,
            limits=LimitsType.from_domain(execution.limits),
            exit_code=execution.exit_code,
            output_truncated=execution.output_truncated,
            usage=ResourceUsageType.from_domain(execution.usage) if execution.usage else None,
            error_message=execution.error_message,
            trace_id=execution.trace_id,
            created_at=execution.created_at,
            scheduled_at=execution.scheduled_at,
            started_at=execution.started_at,
            finished_at=execution.finished_at,
            last_seq=execution.last_seq,
            interactive=execution.interactive,
            callback_url=execution.callback_url,
            callback_secret=execution.callback_secret,
            expected_stdout=execution.expected_stdout,
            stdout_comparison=execution.stdout_comparison,
            input_files=[FileType.from_domain(execution.id, f) for f in execution.input_files],
            output_files=[FileType.from_domain(execution.id, f) for f in execution.output_files],
            skipped_files=[SkippedFileType.from_domain(f) for f in execution.skipped_files],
            argv=list(execution.argv),
            _record=execution,
        )
