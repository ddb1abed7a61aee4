"""`ExecuteScriptInput`: what `executeScript` runs, and how."""

from __future__ import annotations

import strawberry

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
    callback_url: str | None = strawberry.field(
        default=None,
        description="POSTed when the execution ends (Standard Webhooks signed with the "
        "execution's `callbackSecret`; retried until it answers 2xx, see docs/webhooks.md).",
    )
