"""Mutations on saved scripts: create, update, delete, run
(:mod:`service.services.accounts.saving`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.adapters.telemetry.tracing import current_trace_parent
from service.domain.accounts import Principal
from service.domain.scripts import SavedScript
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.limits_input import LimitsInput
from service.entrypoints.graphql.input_types.saved_script_input import SavedScriptInput
from service.entrypoints.graphql.input_types.saved_script_patch import SavedScriptPatch
from service.entrypoints.graphql.permissions import Authenticated, answer, as_auth_error
from service.entrypoints.graphql.problems import PROBLEMS, SCRIPT_ERRORS
from service.entrypoints.graphql.types.execution import ExecutionType
from service.entrypoints.graphql.types.payloads import RunSavedScriptPayload, SavedScriptPayload
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.services.problems import AuthProblem, InputProblem, NotFound


def _script_payload(
    result: SavedScript | InputProblem | AuthProblem | NotFound,
) -> SavedScriptPayload:
    if isinstance(result, PROBLEMS):
        return SCRIPT_ERRORS(result)
    return SavedScriptType.from_domain(result)


@strawberry.type
class ScriptMutationMixin:
    @strawberry.mutation(
        description="Save a script (logged-in users).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def create_saved_script(
        self, info: Info[Context, None], principal: Principal, input: SavedScriptInput
    ) -> SavedScriptPayload:
        scripts = info.context.use_cases.accounts.scripts
        return _script_payload(await scripts.create(principal, input.to_domain()))

    @strawberry.mutation(
        description="Change a saved script; omitted fields stay.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def update_saved_script(
        self,
        info: Info[Context, None],
        principal: Principal,
        id: strawberry.ID,
        input: SavedScriptPatch,
    ) -> SavedScriptPayload:
        scripts = info.context.use_cases.accounts.scripts
        return _script_payload(await scripts.update(principal, str(id), input.to_domain()))

    @strawberry.mutation(
        description="Delete a saved script; false when there was none to delete.",
        extensions=[Authenticated(refused=answer(False))],
    )
    async def delete_saved_script(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> bool:
        result = await info.context.use_cases.accounts.scripts.delete(principal, str(id))
        return result is True

    @strawberry.mutation(
        description="Run a saved script; stdin and limits, when given, replace the saved ones.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def run_saved_script(
        self,
        info: Info[Context, None],
        principal: Principal,
        id: strawberry.ID,
        stdin: str | None = None,
        limits: LimitsInput | None = None,
    ) -> RunSavedScriptPayload:
        result = await info.context.use_cases.accounts.scripts.run(
            principal,
            str(id),
            stdin=stdin,
            limits=limits.to_domain() if limits else None,
            trace_parent=current_trace_parent(),
        )
        if isinstance(result, PROBLEMS):
            return SCRIPT_ERRORS(result)
        info.context.metrics.submitted.labels(result.runtime).inc()
        return ExecutionType.from_domain(result)
