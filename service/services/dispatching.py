"""The dispatcher: claims QUEUED executions atomically while capacity allows.

A submission in this process can also take a slot directly (`reserve`, then `start`): the
execution is then stored already claimed by this worker, which saves the store a write and
the execution the wait for a claim.

It wakes on a submit (in this process or, through change streams, in another), when a run
ends, and every `poll_seconds` as a safety net. An execution submitted in this process comes
with its wake-up and is claimed by id; the store is searched for queued work only when some
may be waiting that this process was not told about (at start, on a poll, on a wake from
another process, after capacity ran out): a search costs the store more than a claim.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from service.domain.events import StatusEvent
from service.domain.executions import Execution
from service.services.clock import utcnow
from service.services.observing import ExecutionObserver
from service.services.store_port import ExecutionRepository

log = logging.getLogger(__name__)

# Submissions remembered for a claim by id; beyond this the store is searched instead.
_MAX_HINTS = 1000


class Dispatcher:
    def __init__(
        self,
        executions: ExecutionRepository,
        observer: ExecutionObserver,
        worker_id: str,
        capacity: int,
        *,
        poll_seconds: float = 1.0,
    ) -> None:
        self._executions = executions
        self._observer = observer
        self._worker_id = worker_id
        self._capacity = capacity
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._runs: set[asyncio.Task[None]] = set()
        self._accepting = True
        self._hints: deque[Execution] = deque()
        self._search = True  # queued work may exist that no hint names
        self._reserved = 0  # slots promised to submissions being stored
        self._active = False  # the claim loop runs (a standby dispatcher takes nothing)

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def in_use(self) -> int:
        return len(self._runs)

    def reserve(self) -> str | None:
        """A slot for an execution about to be stored as claimed by this worker: its id, or
        None when no slot is free (the submission is then queued as usual)."""
        if not (self._active and self._accepting) or self._used() >= self._capacity:
            return None
        self._reserved += 1
        return self._worker_id

    def release(self) -> None:
        """Give back a reserved slot: the execution was not stored."""
        self._reserved -= 1
        self._wake.set()

    def start(self, execution: Execution, queued: StatusEvent) -> None:
        """Run a stored execution claimed with a reserved slot; its QUEUED event `queued`
        was published ahead and is stored with the run's first batch of events."""
        self._reserved -= 1
        self._track(asyncio.create_task(self._observer.run(execution, queued=queued)))

    def _used(self) -> int:
        return len(self._runs) + self._reserved

    def _track(self, task: asyncio.Task[None]) -> None:
        self._runs.add(task)
        task.add_done_callback(self._run_done)

    def wake(self, execution: Execution | None = None) -> None:
        if execution is not None and len(self._hints) < _MAX_HINTS:
            self._hints.append(execution)
        else:
            self._search = True
        self._wake.set()

    async def run(self) -> None:
        """Claim and start work until cancelled."""
        self._active = True
        try:
            while True:
                self._wake.clear()
                while self._accepting and self._used() < self._capacity:
                    try:
                        execution = await self._claim()
                    except Exception:
                        log.exception("claiming work failed")
                        break
                    if execution is None:
                        break
                    self._track(
                        asyncio.create_task(
                            self._observer.run(execution), name=f"run-{execution.id}"
                        )
                    )
                else:
                    self._search = True  # stopped by capacity: more may be waiting
                try:
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                except TimeoutError:
                    self._search = True
        finally:
            self._active = False

    async def _claim(self) -> Execution | None:
        while self._hints:
            hinted = self._hints.popleft()
            at = utcnow()
            if await self._executions.claim(hinted.id, self._worker_id, at):
                return hinted.claimed_by(self._worker_id, at)
        if not self._search:
            return None
        execution = await self._executions.claim_next(self._worker_id, utcnow())
        if execution is None:
            self._search = False
        return execution

    def _run_done(self, task: asyncio.Task[None]) -> None:
        self._runs.discard(task)
        self._wake.set()

    async def drain(self, timeout: float) -> None:
        """Stop claiming; wait up to `timeout` for running executions, then cut them short."""
        self._accepting = False
        if self._runs:
            _, pending = await asyncio.wait(set(self._runs), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=10)
