"""`ExecuteScriptInput`: what `executeScript` runs, and how."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.input_types.file_input import EnvVarInput, FileInput
from service.entrypoints.graphql.input_types.limits_input import LimitsInput


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
