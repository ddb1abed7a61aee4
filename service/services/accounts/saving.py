"""Saved scripts: create, update, delete, list and run; each visible only to its owner (and
admins). Anonymous callers have none."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from service.domain.accounts import Principal
from service.domain.executions import Execution
from service.domain.limits import LimitsRequest
from service.domain.scripts import MAX_SCRIPT_NAME_LENGTH, SavedScript
from service.services.clock import utcnow
from service.services.executions.submitting import SubmitRequest, Submitter
from service.services.ports.accounts import SavedScriptRepository
from service.services.ports.store import Page
from service.services.problems import (
    AuthProblem,
    InputProblem,
    NotFound,
    QuotaProblem,
    unauthenticated,
)

MAX_PAGE_SIZE = 100
UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class ScriptDraft:
    """Fields of a saved script; UNSET leaves a field as it is (on update)."""

    name: Any = UNSET
    script: Any = UNSET
    runtime: Any = UNSET
    stdin: Any = UNSET
    limits: Any = UNSET


def _can_use(principal: Principal, script: SavedScript) -> bool:
    return principal.is_admin or script.owner_id == principal.user_id


class SavedScripts:
    def __init__(
        self, scripts: SavedScriptRepository, submitter: Submitter, *, max_script_bytes: int
    ) -> None:
        self._scripts = scripts
        self._submitter = submitter
        self._max_script_bytes = max_script_bytes

    async def get(self, principal: Principal, script_id: str) -> SavedScript | None:
        script = await self._scripts.get(script_id)
        return script if script is not None and _can_use(principal, script) else None

    async def page(
        self, principal: Principal, *, first: int | None, after: str | None
    ) -> Page[SavedScript]:
        if principal.user_id is None:
            return Page(items=[], cursors=[], has_next_page=False, has_previous_page=False)
        return await self._scripts.page(
            owner_id=principal.user_id, first=MAX_PAGE_SIZE if first is None else first, after=after
        )

    async def create(
        self, principal: Principal, draft: ScriptDraft
    ) -> SavedScript | InputProblem | AuthProblem:
        if principal.user_id is None:
            return unauthenticated()
        if draft.name is UNSET or draft.script is UNSET:
            return InputProblem("name and script are required", "name")
        fields = _fields_of(draft)
        problem = self._check(fields)
        if problem is not None:
            return problem
        now = utcnow()
        return await self._scripts.create(
            SavedScript(
                id=uuid.uuid4().hex,
                owner_id=principal.user_id,
                created_at=now,
                updated_at=now,
                **fields,
            )
        )

    async def update(
        self, principal: Principal, script_id: str, draft: ScriptDraft
    ) -> SavedScript | InputProblem | AuthProblem | NotFound:
        if principal.user_id is None:
            return unauthenticated()
        if await self.get(principal, script_id) is None:
            return NotFound(f"no saved script with id {script_id!r}", script_id)
        fields = _fields_of(draft)
        problem = self._check(fields)
        if problem is not None:
            return problem
        updated = await self._scripts.update(script_id, {**fields, "updated_at": utcnow()})
        return updated or NotFound(f"no saved script with id {script_id!r}", script_id)

    async def delete(self, principal: Principal, script_id: str) -> bool | AuthProblem:
        if principal.user_id is None:
            return unauthenticated()
        if await self.get(principal, script_id) is None:
            return False
        return await self._scripts.delete(script_id)

    async def run(
        self,
        principal: Principal,
        script_id: str,
        *,
        stdin: str | None = None,
        limits: LimitsRequest | None = None,
        trace_parent: str | None = None,
    ) -> Execution | InputProblem | QuotaProblem | AuthProblem | NotFound:
        if principal.user_id is None:
            return unauthenticated()
        script = await self.get(principal, script_id)
        if script is None:
            return NotFound(f"no saved script with id {script_id!r}", script_id)
        return await self._submitter.submit(
            SubmitRequest(
                script=script.script,
                runtime=script.runtime,
                stdin=stdin if stdin is not None else script.stdin,
                limits=limits if limits is not None else script.limits,
                trace_parent=trace_parent,
                principal=principal,
            )
        )

    def _check(self, fields: dict[str, Any]) -> InputProblem | None:
        name = fields.get("name")
        if name is not None and not 1 <= len(name.strip()) <= MAX_SCRIPT_NAME_LENGTH:
            return InputProblem(f"name must be 1 to {MAX_SCRIPT_NAME_LENGTH} characters", "name")
        if "name" in fields and name is None:
            return InputProblem("name must not be null", "name")
        if "script" in fields:
            script = fields["script"]
            if script is None or not script.strip():
                return InputProblem("script must not be empty", "script")
            try:
                size = len(script.encode("utf-8"))
            except UnicodeEncodeError:
                return InputProblem("script is not valid Unicode (lone surrogate)", "script")
            if size > self._max_script_bytes:
                return InputProblem(
                    f"script is {size} bytes; the maximum is {self._max_script_bytes}", "script"
                )
        for key in ("name", "runtime", "stdin"):
            value = fields.get(key)
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return InputProblem(f"{key} is not valid Unicode (lone surrogate)", key)
        return None


def _fields_of(draft: ScriptDraft) -> dict[str, Any]:
    return {
        name: getattr(draft, name)
        for name in ("name", "script", "runtime", "stdin", "limits")
        if getattr(draft, name) is not UNSET
    }
