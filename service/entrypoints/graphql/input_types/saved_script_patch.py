"""`SavedScriptPatch`: changes to a saved script; omitted fields stay as they are."""

from __future__ import annotations

from typing import Any

import strawberry

from service.entrypoints.graphql.input_types.limits_input import LimitsInput
from service.services.accounts.saving import UNSET, ScriptDraft


@strawberry.input(description="Changes to a saved script; omitted fields stay as they are.")
class SavedScriptPatch:
    name: str | None = strawberry.UNSET
    script: str | None = strawberry.UNSET
    runtime: str | None = strawberry.UNSET
    stdin: str | None = strawberry.UNSET
    limits: LimitsInput | None = strawberry.UNSET

    def to_domain(self) -> ScriptDraft:
        def given(value: Any) -> Any:
            return UNSET if value is strawberry.UNSET else value

        limits = given(self.limits)
        return ScriptDraft(
            name=given(self.name),
            script=given(self.script),
            runtime=given(self.runtime),
            stdin=given(self.stdin),
            limits=limits.to_domain() if isinstance(limits, LimitsInput) else limits,
        )
