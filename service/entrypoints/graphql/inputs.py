"""GraphQL input types and their mapping to use-case requests."""

from __future__ import annotations

import strawberry

from service.domain.limits import LimitsRequest


@strawberry.input(description="Limits to ask for; omitted fields take the server defaults.")
class LimitsInput:
    timeout_seconds: float | None = None
    memory_mib: int | None = None
    cpu_millicores: int | None = None
    max_processes: int | None = None
    max_output_bytes: int | None = None
    disk_mib: int | None = None

    def to_domain(self) -> LimitsRequest:
        return LimitsRequest(
            timeout_seconds=self.timeout_seconds,
            memory_mib=self.memory_mib,
            cpu_millicores=self.cpu_millicores,
            max_processes=self.max_processes,
            max_output_bytes=self.max_output_bytes,
            disk_mib=self.disk_mib,
        )


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
