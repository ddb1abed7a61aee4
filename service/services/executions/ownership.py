"""Who may see and act on an execution: its owner and admins; an anonymous execution, whoever
holds its id.

Execution ids are 128-bit random (uuid4), so holding one is proof of having been given it.
Every use case that reads or changes one execution goes through `can_see` / `ensure_can_act`,
and a refusal looks exactly like "no such execution", so probing ids learns nothing.
"""

from __future__ import annotations

from service.domain.accounts import Principal
from service.domain.executions import Execution
from service.services.problems import NotFound


def can_see(principal: Principal, execution: Execution) -> bool:
    if principal.is_admin or execution.owner_id is None:
        return True
    return execution.owner_id == principal.user_id


def ensure_can_act(
    principal: Principal, execution: Execution | None, execution_id: str
) -> Execution | NotFound:
    """The execution when `principal` may act on it, else NotFound (also for an unknown id).

    The hook for every mutation on one execution (cancel, stdin, …)."""
    if execution is None or not can_see(principal, execution):
        return NotFound(f"no execution with id {execution_id!r}", execution_id)
    return execution
