"""Reading executions: one by id, pages of them, and the output of one still running."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.services.store_port import EventLog, ExecutionPage, ExecutionRepository

MAX_PAGE_SIZE = 100


class ExecutionQueries:
    def __init__(self, executions: ExecutionRepository, events: EventLog) -> None:
        self._executions = executions
        self._events = events

    async def get(self, execution_id: str) -> Execution | None:
        return await self._executions.get(execution_id)

    async def with_output(self, execution: Execution) -> Execution:
        """The execution with stdout/stderr as far as produced (from the log while it runs)."""
        if execution.status.is_terminal:
            return execution
        stdout, stderr = await self._events.output_of(execution.id)
        return replace(execution, stdout=stdout, stderr=stderr)

    async def page(
        self,
        *,
        first: int | None,
        after: str | None,
        statuses: Collection[ExecutionStatus] | None,
        owner_id: str | None = None,
    ) -> ExecutionPage:
        size = MAX_PAGE_SIZE if first is None else first
        return await self._executions.page(
            first=size, after=after, statuses=statuses, owner_id=owner_id
        )
