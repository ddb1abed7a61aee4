"""The worker: liveness heartbeats, crash recovery, the dispatcher and cancel polling,
run together until stopped.

Stopping drains: no new claims, running executions get `drain_seconds` to finish, and those
still running then end as ERROR. Executions still QUEUED stay so in the store for the next
worker (or this one after a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from service.domain.executions import Execution
from service.services.clock import utcnow
from service.services.ports.store import (
    ExecutionRepository,
    StoreUnavailable,
    WorkerRecord,
    WorkerRegistry,
)
from service.services.worker.dispatching import Dispatcher
from service.services.worker.observing import ExecutionObserver
from service.services.worker.recovering import Recovery

log = logging.getLogger(__name__)


class Worker:
    """One worker's loops: heartbeat, recovery of dead workers' executions, cancel polling,
    and its dispatcher, which claims queued executions for its observer to run."""

    def __init__(
        self,
        *,
        worker_id: str,
        hostname: str,
        pid: int,
        executions: ExecutionRepository,
        registry: WorkerRegistry,
        dispatcher: Dispatcher,
        observer: ExecutionObserver,
        recovery: Recovery,
        heartbeat_seconds: float,
        cancel_poll_seconds: float = 1.0,
        drain_seconds: float = 10.0,
    ) -> None:
        self.worker_id = worker_id
        self._hostname = hostname
        self._pid = pid
        self._started_at: datetime = utcnow()
        self._executions = executions
        self._registry = registry
        self.dispatcher = dispatcher
        self.observer = observer
        self._recovery = recovery
        self._heartbeat_seconds = heartbeat_seconds
        self._cancel_poll_seconds = cancel_poll_seconds
        self._drain_seconds = drain_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._last_tick = time.monotonic()
        self.ready = asyncio.Event()

    def wake(self, execution: Execution | None = None) -> None:
        """Work may be waiting (the bus's `on_queued`): `execution` when it was just
        submitted in this process."""
        self.dispatcher.wake(execution)

    async def start(self) -> None:
        await self._heartbeat_once()
        ended = await self._recovery.sweep()
        if ended:
            log.warning("recovered %d execution(s) left behind by a stopped worker", ended)
        self._spawn(self._heartbeat_loop(), "worker-heartbeat")
        self._spawn(self._recovery_loop(), "worker-recovery")
        self._spawn(self._cancel_poll_loop(), "worker-cancel-poll")
        self._spawn(self.dispatcher.run(), "worker-dispatcher")
        self.ready.set()

    def alive(self, stale_after_seconds: float) -> bool:
        """Whether its loops still run: none has died, and the heartbeat loop came round
        within `stale_after_seconds` (a wedged loop stops ticking)."""
        if self._stopping or not self._tasks:
            return True  # starting or stopping: nothing to judge yet, or any more
        if any(task.done() for task in self._tasks):
            return False
        return time.monotonic() - self._last_tick <= stale_after_seconds

    async def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        self.ready.clear()
        dispatcher_task = next(
            (t for t in self._tasks if t.get_name() == "worker-dispatcher"), None
        )
        if dispatcher_task is not None:
            dispatcher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatcher_task
        await self.dispatcher.drain(self._drain_seconds)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await self._registry.remove(self.worker_id)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=name))

    async def _heartbeat_once(self) -> None:
        await self._registry.heartbeat(
            WorkerRecord(self.worker_id, self._hostname, self._pid, self._started_at, utcnow())
        )

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            # Ticked before the store is asked: a store outage is not the worker's own fault,
            # and restarting the worker would not cure it.
            self._last_tick = time.monotonic()
            try:
                await self._heartbeat_once()
            except StoreUnavailable as error:
                self._recovery.outage_seen()
                log.warning("worker heartbeat failed: %s", error)
            except Exception:
                log.exception("worker heartbeat failed")

    async def _recovery_loop(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds * 2)
            try:
                await self._recovery.sweep()
            except Exception:
                log.exception("recovery sweep failed")

    async def _cancel_poll_loop(self) -> None:
        """Safety net for cancel requests whose live notification was missed."""
        while True:
            await asyncio.sleep(self._cancel_poll_seconds)
            running = self.observer.running_ids
            if not running:
                continue
            try:
                flagged = await self._executions.cancel_requested_among(running)
            except Exception:
                log.exception("cancel poll failed")
                continue
            for execution_id in flagged:
                self.observer.request_cancel(execution_id)
