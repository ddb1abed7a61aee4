"""GraphQL inputs of the account, admin and saved-script operations."""

from __future__ import annotations

from typing import Any

import strawberry

from service.domain.accounts import QuotaOverrides
from service.entrypoints.graphql.inputs import LimitsInput
from service.services.accounts.saving import UNSET, ScriptDraft


@strawberry.input
class RegisterInput:
    username: str = strawberry.field(description="3-40 of a-z 0-9 _ . -")
    password: str = strawberry.field(description="8-256 characters.")
    email: str | None = None


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.input(description="Per-user quotas; null restores the role's default.")
class QuotaInput:
    max_concurrent_executions: int | None = None
    submissions_per_minute: int | None = None

    def to_domain(self) -> QuotaOverrides:
        return QuotaOverrides(self.max_concurrent_executions, self.submissions_per_minute)


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
