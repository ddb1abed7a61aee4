"""Reading executions: one by id, pages of them, and the output of one still running.

Every read is on behalf of a principal (see `ownership`): an execution the caller may not see
reads as absent, and a page holds only the caller's own executions (admins may page
everyone's through `all_page`).
"""

from __future__ import annotations

from dataclasses import replace

from service.domain.accounts import Principal
from service.domain.events import StatusEvent
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.services.executions.ownership import can_see
from service.services.ports.store import (
    EventLog,
    ExecutionFilter,
    ExecutionPage,
    ExecutionRepository,
    Page,
)
from service.services.problems import AuthProblem, forbidden

MAX_PAGE_SIZE = 100

EMPTY_PAGE: ExecutionPage = Page(items=[], cursors=[], has_next_page=False, has_previous_page=False)


class ExecutionQueries:
    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        anonymous_can_list: bool = False,
    ) -> None:
        self._executions = executions
        self._events = events
        # Single-user development servers may let anonymous callers list anonymous
        # executions; otherwise those are reachable only by their (unguessable) id.
        self._anonymous_can_list = anonymous_can_list

    async def get(self, execution_id: str, principal: Principal) -> Execution | None:
        """The execution when `principal` may see it, else None."""
        execution = await self._executions.get(execution_id)
        if execution is None or not can_see(principal, execution):
            return None
        if execution.status is ExecutionStatus.SCHEDULED:
            execution = await self._with_stored_running(execution)
        return execution

    async def with_output(self, execution: Execution) -> Execution:
        """The execution with stdout/stderr as far as produced (from the log while it runs,
        and when the output was too large to keep in the record)."""
        if execution.status.is_terminal and not execution.output_in_log:
            return execution
        stdout, stderr = await self._events.output_of(execution.id)
        execution = replace(execution, stdout=stdout, stderr=stderr)
        if execution.status is ExecutionStatus.SCHEDULED:
            execution = await self._with_stored_running(execution)
        return execution

    async def _with_stored_running(self, execution: Execution) -> Execution:
        # The worker stores RUNNING (and output after it) in the log before it writes
        # RUNNING to the record: in between, the log is ahead. Show what the log says, so
        # a read never pairs SCHEDULED with output the script already printed.
        for event in await self._events.after(execution.id, execution.last_seq, 1):
            if isinstance(event, StatusEvent) and event.status is ExecutionStatus.RUNNING:
                return replace(
                    execution,
                    status=ExecutionStatus.RUNNING,
                    started_at=event.at,
                    last_seq=event.seq,
                )
        return execution

    async def page(
        self,
        principal: Principal,
        *,
        first: int | None,
        after: str | None,
        where: ExecutionFilter | None = None,
    ) -> ExecutionPage:
        """The caller's own executions, newest first."""
        if principal.is_anonymous and not self._anonymous_can_list:
            return EMPTY_PAGE
        return await self._page(
            first,
            after,
            where or ExecutionFilter(),
            owner_id=principal.owner_id,
            anonymous_only=principal.is_anonymous,
        )

    async def all_page(
        self,
        principal: Principal,
        *,
        first: int | None,
        after: str | None,
        owner_id: str | None = None,
        where: ExecutionFilter | None = None,
    ) -> ExecutionPage | AuthProblem:
        """Everyone's executions (or one owner's): admins only."""
        if not principal.is_admin:
            return forbidden()
        return await self._page(first, after, where or ExecutionFilter(), owner_id=owner_id)

    async def _page(
        self,
        first: int | None,
        after: str | None,
        where: ExecutionFilter,
        *,
        owner_id: str | None,
        anonymous_only: bool = False,
    ) -> ExecutionPage:
        return await self._executions.page(
            first=MAX_PAGE_SIZE if first is None else first,
            after=after,
            where=replace(where, owner_id=owner_id, anonymous_only=anonymous_only),
        )
