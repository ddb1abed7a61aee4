"""Cancelling an execution.

A QUEUED execution is cancelled here by compare-and-set. One that a worker owns is flagged;
the worker kills the sandbox and writes CANCELLED itself (it alone numbers that execution's
events). The caller waits briefly so the answer usually shows the final status.
"""

from __future__ import annotations

import asyncio

from service.domain.accounts import Principal
from service.domain.events import StatusEvent
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition
from service.services.clock import utcnow
from service.services.executions.ownership import ensure_can_act
from service.services.ports.bus import EventFeed, WorkSignals
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.problems import NotFound


class Canceller:
    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        signals: WorkSignals,
        wait_seconds: float = 5.0,
    ) -> None:
        self._executions = executions
        self._events = events
        self._feed = feed
        self._signals = signals
        self._wait_seconds = wait_seconds

    async def cancel(self, execution_id: str, *, principal: Principal) -> Execution | NotFound:
        execution = ensure_can_act(
            principal, await self._executions.get(execution_id), execution_id
        )
        if isinstance(execution, NotFound):
            return execution
        if execution.status.is_terminal:
            return execution
        flagged = await self._executions.request_cancel(execution_id)
        if flagged is None or flagged.status.is_terminal:
            return flagged or execution
        if flagged.status is ExecutionStatus.QUEUED:
            now = utcnow()
            # Nothing else numbers events while it is QUEUED: the next seq is free.
            event = StatusEvent(
                execution_id,
                flagged.last_seq + 1,
                now,
                ExecutionStatus.CANCELLED,
                message="cancelled by request",
            )
            cancelled = await self._executions.apply_and_get(
                execution_id,
                Transition(
                    ExecutionStatus.QUEUED,
                    ExecutionStatus.CANCELLED,
                    seq=event.seq,
                    finished_at=now,
                    carried=(event,),
                ),
            )
            if cancelled is not None:
                await self._events.append(event)
                self._feed.publish(event)
                return cancelled
        # A worker owns it (or just claimed it): ask it to stop and wait for the verdict.
        async with self._feed.listen(execution_id) as live:
            self._signals.request_cancel(execution_id)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self._wait_seconds
            while (remaining := deadline - loop.time()) > 0:
                live_event = await live.next(min(remaining, 0.5))
                if live_event is not None and live_event.is_terminal:
                    break
                if live_event is None:
                    current = await self._executions.get(execution_id)
                    if current is not None and current.status.is_terminal:
                        break
        return await self._executions.get(execution_id) or flagged
