"""The dispatcher: claims QUEUED executions atomically while capacity allows.

It wakes on a submit (in this process or, through change streams, in another), when a run
ends, and every `poll_seconds` as a safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from service.services.clock import utcnow
from service.services.observing import ExecutionObserver
from service.services.store_port import ExecutionRepository

log = logging.getLogger(__name__)


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

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def in_use(self) -> int:
        return len(self._runs)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Claim and start work until cancelled."""
        while True:
            self._wake.clear()
            while self._accepting and len(self._runs) < self._capacity:
                try:
                    execution = await self._executions.claim_next(self._worker_id, utcnow())
                except Exception:
                    log.exception("claiming work failed")
                    break
                if execution is None:
                    break
                task = asyncio.create_task(
                    self._observer.run(execution), name=f"run-{execution.id}"
                )
                self._runs.add(task)
                task.add_done_callback(self._run_done)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

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
