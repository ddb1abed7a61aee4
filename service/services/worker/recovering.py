"""Crash recovery: executions owned by a worker that died end as ERROR, never stuck.

A worker is dead when it has no liveness record, when its record is on this host and its
process is gone (a restart is recognised at once), or when it missed heartbeats for
`dead_after_seconds`. Executions still QUEUED simply run when a worker is back.

Nobody can heartbeat while the store is down: after an outage every worker gets
`dead_after_seconds` again to prove it is alive before its heartbeat counts as missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from service.domain.executions import Execution
from service.services.clock import utcnow
from service.services.executions.repairing import end_as_error
from service.services.ports.bus import EventFeed
from service.services.ports.store import EventLog, ExecutionRepository, WorkerRecord, WorkerRegistry

log = logging.getLogger(__name__)

LOST_WORKER_MESSAGE = (
    "the worker running this execution stopped (crash or restart) before it finished; "
    "its sandbox did not survive"
)


class Recovery:
    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        workers: WorkerRegistry,
        worker_id: str,
        hostname: str,
        dead_after_seconds: float,
        process_alive: Callable[[int], bool],
    ) -> None:
        self._executions = executions
        self._events = events
        self._feed = feed
        self._workers = workers
        self._worker_id = worker_id
        self._hostname = hostname
        self._dead_after = timedelta(seconds=dead_after_seconds)
        self._process_alive = process_alive
        self._outage_seen_at: datetime | None = None

    def outage_seen(self) -> None:
        """The store could not be reached just now (this worker's heartbeat failed)."""
        self._outage_seen_at = utcnow()

    async def sweep(self) -> int:
        """End the executions of dead workers; return how many were ended."""
        owners = await self._executions.active_worker_ids() - {self._worker_id}
        if not owners:
            return 0
        records = {record.id: record for record in await self._workers.get(owners)}
        dead = [owner for owner in owners if self._is_dead(records.get(owner))]
        if not dead:
            return 0
        ended = 0
        for execution in await self._executions.active_owned_by(dead):
            if await self._end(execution):
                ended += 1
        for owner in dead:
            await self._workers.remove(owner)
        return ended

    def _is_dead(self, record: WorkerRecord | None) -> bool:
        if record is None:
            return True
        if record.hostname == self._hostname and not self._process_alive(record.pid):
            return True
        last_sign = record.heartbeat_at
        if self._outage_seen_at is not None:
            last_sign = max(last_sign, self._outage_seen_at)
        return utcnow() - last_sign > self._dead_after

    async def _end(self, execution: Execution) -> bool:
        ended = await end_as_error(
            execution,
            LOST_WORKER_MESSAGE,
            worker_id=execution.worker_id,
            executions=self._executions,
            events=self._events,
            feed=self._feed,
        )
        if ended:
            log.warning(
                "execution %s ended as ERROR: its worker %s is gone",
                execution.id,
                execution.worker_id,
            )
        return ended
