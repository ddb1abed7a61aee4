"""Streaming an execution's events: replay from the log after `after_seq`, then live, with
no gap and no duplicate, ending after the terminal event.

The live feed is only a hint: an event is yielded live only when its seq is exactly the next
one; anything else sends the reader back to the log. A quiet period re-reads the log too, so a
lost notification costs at most `poll_seconds`. When the bus remembers every event after
`after_seq` (it heard them all: the execution ran in this process), the feed starts with them
and the first read of the log is skipped: in a self-contained server a subscription then
costs no store read.

On shutdown, `settle` waits until every stream whose execution has ended has handed its
terminal event on, so closing the connections afterwards cuts no verdict off.

A store outage does not end a stream that is under way: it keeps following live events and
reads the log again once the store is back, giving up (StoreUnavailable) only after
`outage_tolerance_seconds`. A stream that cannot start (the store is down) fails at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from functools import partial
from typing import TypeVar

from service.domain.accounts import Principal
from service.domain.events import ExecutionEvent
from service.domain.executions import Execution
from service.services.executions.ownership import can_see
from service.services.executions.repairing import complete_log
from service.services.executions.sharing import SharedReads
from service.services.ports.bus import EventFeed, ExecutionMemory
from service.services.ports.store import EventLog, ExecutionRepository, StoreUnavailable

_BATCH = 500

T = TypeVar("T")


class _Outage:
    """How long one stream has been waiting for the store."""

    def __init__(self, tolerance_seconds: float) -> None:
        self._tolerance = tolerance_seconds
        self._since: float | None = None

    async def read(self, call: Awaitable[T], fallback: T) -> T:
        """`call`'s result; `fallback` while the store is down, until the tolerance ends."""
        try:
            result = await call
        except StoreUnavailable:
            now = time.monotonic()
            if self._since is None:
                self._since = now
            if now - self._since > self._tolerance:
                raise
            return fallback
        self._since = None
        return result


class EventStreamer:
    """The `executionEvents` subscription use case."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        memory: ExecutionMemory,
        poll_seconds: float = 1.0,
        outage_tolerance_seconds: float = 60.0,
    ) -> None:
        self._executions = executions
        self._events = events
        self._feed = feed
        self._memory = memory
        self._poll_seconds = poll_seconds
        self._outage_tolerance = outage_tolerance_seconds
        self._open: Counter[str] = Counter()  # execution id -> streams following it
        # Streams of one execution ask the store the same questions at the same moments.
        self._logs: SharedReads[tuple[str, int], list[ExecutionEvent]] = SharedReads()
        self._records: SharedReads[str, Execution | None] = SharedReads()

    def _log_after(
        self, execution_id: str, seq: int, *, max_age: float = 0.0
    ) -> Awaitable[list[ExecutionEvent]]:
        return self._logs.read(
            (execution_id, seq),
            partial(self._events.after, execution_id, seq, _BATCH),
            max_age=max_age,
        )

    async def settle(self, timeout: float, *, poll_seconds: float = 0.02) -> None:
        """Wait, up to `timeout`, until no open stream follows an execution that has ended:
        each of those still has its terminal event (and its end) to hand on."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):  # a slow store too
                # Every open stream is looked at once; then only those whose execution had
                # ended, until they are closed.
                candidates = [i for i in list(self._open) if await self._has_ended(i)]
                while candidates:
                    await asyncio.sleep(poll_seconds)
                    candidates = [i for i in candidates if i in self._open]

    async def _has_ended(self, execution_id: str) -> bool:
        execution = await self._executions.get(execution_id)
        return execution is not None and execution.status.is_terminal

    async def visible(self, execution_id: str, principal: Principal) -> Execution | None:
        """The execution when `principal` may see it, else None (also when unknown).

        Answered from the bus's memory when it still holds the execution as submitted in this
        process: who owns an execution never changes, so its possibly stale status does not
        matter here."""
        execution = self._memory.recent_execution(execution_id)
        if execution is None:
            execution = await self._executions.get(execution_id)
        if execution is None or not can_see(principal, execution):
            return None
        return execution

    async def stream(
        self,
        execution_id: str,
        after_seq: int,
        *,
        principal: Principal,
        execution: Execution | None = None,
    ) -> AsyncIterator[ExecutionEvent]:
        """`execution`, when the caller has just read it, saves a read of the record. A
        caller who may not see the execution gets no event at all."""
        last = max(0, after_seq)
        if execution is None or execution.id != execution_id:
            execution = await self.visible(execution_id, principal)
        if execution is None or not can_see(principal, execution):
            return
        if _ended_before(execution, last):
            return
        self._open[execution_id] += 1
        try:
            async with self._feed.listen(execution_id, last) as live:
                if live.ended:
                    return
                # A primed feed already holds what the first read of the log would return.
                read_log = not live.primed
                finished = execution if execution.status.is_terminal else None
                outage = _Outage(self._outage_tolerance)
                # How old a shared read of the log or the record may be: none after a gap
                # (the log holds what the feed skipped), some after a quiet poll.
                max_age = 0.0
                while True:
                    # Catch up from the log (nothing while the store is down: follow live).
                    while read_log:
                        batch = await outage.read(
                            self._log_after(execution_id, last, max_age=max_age), []
                        )
                        max_age = 0.0
                        for event in batch:
                            yield event
                            last = event.seq
                            if event.is_terminal:
                                return
                        read_log = len(batch) == _BATCH
                    if finished is not None and await outage.read(
                        complete_log(finished, self._events, self._feed), False
                    ):
                        # The record is final but the log was short of it (a crash came between
                        # the terminal write and the log's append): the log is whole now.
                        read_log = True
                        continue
                    read_log = True
                    max_age = 0.0
                    # Follow live while the feed lines up with what we have.
                    next_event = await live.next(self._poll_seconds)
                    while next_event is not None:
                        if next_event.seq == last + 1:
                            yield next_event
                            last = next_event.seq
                            if next_event.is_terminal:
                                return
                        elif next_event.seq > last + 1:
                            break  # a gap: re-read the log
                        next_event = await live.next(self._poll_seconds)
                    else:
                        # Quiet for a poll: the record says whether more will come.
                        max_age = self._poll_seconds / 2
                        record = await outage.read(
                            self._records.read(
                                execution_id,
                                partial(self._executions.get, execution_id),
                                max_age=max_age,
                            ),
                            None,
                        )
                        if record is not None and record.status.is_terminal:
                            if record.last_seq <= last:
                                return
                            finished = record
        finally:
            self._open[execution_id] -= 1
            if not self._open[execution_id]:
                del self._open[execution_id]


def _ended_before(execution: Execution, seq: int) -> bool:
    return execution.status.is_terminal and execution.last_seq <= seq
