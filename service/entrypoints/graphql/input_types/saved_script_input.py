"""`SavedScriptInput`: a script to save, with its runtime, stdin and limits."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.input_types.limits_input import LimitsInput
from service.services.accounts.saving import ScriptDraft


@strawberry.input(description="A script to save.")
class SavedScriptInput:
    name: str
    script: str
    runtime: str | None = None
    stdin: str | None = None
    limits: LimitsInput | None = None

    def to_domain(self) -> ScriptDraft:
        return ScriptDraft(
            name=self.name,
            script=self.script,
            runtime=self.runtime,
            stdin=self.stdin,
            limits=self.limits.to_domain() if self.limits else None,
        )
