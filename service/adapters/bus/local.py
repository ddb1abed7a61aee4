"""In-process event bus: fan-out of events to this process's subscribers.

The bus also remembers recent executions (see `recent`): a listener whose execution it holds
from seq 1 starts with the events it asked for, and need not read the log first.

For the executions it does not remember, events published ahead of being stored (the
worker's write-behind) are kept until they are settled or their run ends, and handed to
every listener that starts meanwhile: a subscriber that read the log just before they were
stored would otherwise wait for its next poll to see them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

from service.adapters.bus.recent import RecentExecutions
from service.domain.events import ExecutionEvent
from service.domain.executions import Execution

log = logging.getLogger(__name__)

# A subscriber that falls this far behind is dropped from the fast path; it then catches up
# from the event log, so nothing is lost.
_QUEUE_BOUND = 10_000


class LocalEventBus:
    """EventBus for one process. Cross-process delivery is added by the change-stream feed."""

    def __init__(self, recent: RecentExecutions | None = None) -> None:
        self._recent = recent if recent is not None else RecentExecutions()
        self._listeners: dict[str, set[asyncio.Queue[ExecutionEvent | None]]] = defaultdict(set)
        self._cancel_callbacks: list[Callable[[str], None]] = []
        self._queued_callbacks: list[Callable[[Execution | None], None]] = []
        self._input_callbacks: list[Callable[[str], None]] = []
        self._ahead: dict[str, list[ExecutionEvent]] = {}

    def publish(self, event: ExecutionEvent) -> None:
        self._recent.add(event, ahead=False)
        self._deliver(event)

    def publish_ahead(self, event: ExecutionEvent) -> None:
        self._ahead.setdefault(event.execution_id, []).append(event)
        self._recent.add(event, ahead=True)
        self._deliver(event)

    def settled(self, execution_id: str, seq: int) -> None:
        self._recent.settled(execution_id, seq)
        pending = self._ahead.get(execution_id)
        if pending is None:
            return
        pending[:] = [event for event in pending if event.seq > seq]
        if not pending:
            del self._ahead[execution_id]

    def run_ended(self, execution_id: str) -> None:
        self._recent.run_ended(execution_id)
        self._ahead.pop(execution_id, None)

    def recent_execution(self, execution_id: str) -> Execution | None:
        return self._recent.execution(execution_id)

    @contextlib.asynccontextmanager
    async def listen(
        self, execution_id: str, after_seq: int | None = None
    ) -> AsyncIterator[_QueueFeed]:
        queue: asyncio.Queue[ExecutionEvent | None] = asyncio.Queue(_QUEUE_BOUND)
        # Taken and registered with no await in between: every event is either in the
        # backlog or delivered to the queue (or both, which the reader drops by seq).
        remembered = None if after_seq is None else self._recent.after(execution_id, after_seq)
        backlog = self._ahead.get(execution_id, []) if remembered is None else remembered.events
        for event in backlog[: _QUEUE_BOUND - 1]:
            queue.put_nowait(event)
        primed = remembered is not None and len(backlog) < _QUEUE_BOUND
        self._listeners[execution_id].add(queue)
        try:
            yield _QueueFeed(
                queue, primed=primed, ended=remembered is not None and remembered.ended
            )
        finally:
            listeners = self._listeners.get(execution_id)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._listeners[execution_id]

    def _deliver(self, event: ExecutionEvent) -> None:
        for queue in list(self._listeners.get(event.execution_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # Tell the laggard to fall back to the log rather than block the publisher.
                self._listeners[event.execution_id].discard(queue)
                with contextlib.suppress(asyncio.QueueFull):
                    queue.get_nowait()
                queue.put_nowait(None)

    def on_cancel_requested(self, callback: Callable[[str], None]) -> None:
        self._cancel_callbacks.append(callback)

    def request_cancel(self, execution_id: str) -> None:
        for callback in self._cancel_callbacks:
            callback(execution_id)

    def on_queued(self, callback: Callable[[Execution | None], None]) -> None:
        self._queued_callbacks.append(callback)

    def announce_queued(self, execution: Execution | None = None) -> None:
        if execution is not None:
            self.remember(execution)
        for callback in self._queued_callbacks:
            callback(execution)

    def queued_elsewhere(self, execution: Execution) -> None:
        """`execution` was just queued by another process (a change stream says so): tell
        this process's worker, which can then claim it without looking for it."""
        for callback in self._queued_callbacks:
            callback(execution)

    def remember(self, execution: Execution) -> None:
        self._recent.announce(execution)

    def on_input(self, callback: Callable[[str], None]) -> None:
        self._input_callbacks.append(callback)

    def announce_input(self, execution_id: str) -> None:
        for callback in self._input_callbacks:
            callback(execution_id)

    @property
    def listener_count(self) -> int:
        return sum(len(v) for v in self._listeners.values())


class _QueueFeed:
    def __init__(
        self, queue: asyncio.Queue[ExecutionEvent | None], *, primed: bool, ended: bool
    ) -> None:
        self._queue = queue
        self._dropped = False
        self.primed = primed
        self.ended = ended

    async def next(self, timeout: float) -> ExecutionEvent | None:
        if self._dropped:
            await asyncio.sleep(timeout)
            return None
        try:
            event = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if event is None:  # dropped for lagging: the reader re-reads the log from now on
            self._dropped = True
        return event
