"""Taking over executions whose sandboxes outlived their worker: a new leader's first act.

Used with backends whose sandboxes survive the worker (Kubernetes pods). Each SCHEDULED or
RUNNING execution owned by another worker is reassigned to this one first (a compare-and-set
on the owner: the previous owner's late writes then fail), then:

- its sandbox is found again (`backend.reattach`): observing continues after the last stored
  event, and the output already stored is skipped in the replayed log (by byte count per
  stream), so output is neither lost nor duplicated;
- no sandbox and still SCHEDULED: the launch never happened or was cut short; launch it now
  (a launch is idempotent per execution: an existing pod is observed, not created twice);
- no sandbox and RUNNING: nothing is left to observe; it ends as ERROR with its output so far.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, Protocol, runtime_checkable

from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.services.executions.repairing import complete_log, end_as_error
from service.services.ports.bus import EventFeed
from service.services.ports.sandbox import SandboxBackend
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.worker.observing import ExecutionObserver

log = logging.getLogger(__name__)

SANDBOX_GONE_MESSAGE = (
    "the sandbox of this execution disappeared while no worker was watching it "
    "(deleted, or its node was lost)"
)


@runtime_checkable
class ResumableHandle(Protocol):
    """A reattached handle that replays its output from the start and can skip a prefix."""

    def skip_delivered_output(self, *, stdout_bytes: int = 0, stderr_bytes: int = 0) -> None: ...


class Adoption:
    """Finds the executions other workers left running and hands them to this worker."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        backend: SandboxBackend,
        observer: ExecutionObserver,
        worker_id: str,
    ) -> None:
        self._executions = executions
        self._events = events
        self._feed = feed
        self._backend = backend
        self._observer = observer
        self._worker_id = worker_id

    async def take_over(self) -> list[Coroutine[Any, Any, None]]:
        """Reassign every active execution of other workers here; return the runs to start."""
        owners = await self._executions.active_worker_ids() - {self._worker_id}
        if not owners:
            return []
        runs: list[Coroutine[Any, Any, None]] = []
        for execution in await self._executions.active_owned_by(owners):
            run = await self._take(execution)
            if run is not None:
                runs.append(run)
        if runs:
            log.info("took over %d execution(s) from earlier workers", len(runs))
        return runs

    async def _take(self, execution: Execution) -> Coroutine[Any, Any, None] | None:
        moved = await self._executions.reassign(
            execution.id, from_worker=execution.worker_id, to_worker=self._worker_id
        )
        if moved is None:
            return None  # it ended (or moved) meanwhile
        await complete_log(moved, self._events, self._feed)
        handle = await self._backend.reattach(moved.id)
        if handle is None:
            if moved.status is ExecutionStatus.SCHEDULED:
                log.info("execution %s had no sandbox yet: launching it", moved.id)
                return self._observer.run(moved)
            await self._end_lost(moved)
            return None
        seq = max(moved.last_seq, await self._events.last_seq(moved.id))
        stdout, stderr = await self._events.output_of(moved.id)
        if isinstance(handle, ResumableHandle):
            handle.skip_delivered_output(
                stdout_bytes=len(stdout.encode()), stderr_bytes=len(stderr.encode())
            )
        log.info("execution %s: observing its sandbox again from event %d", moved.id, seq)
        return self._observer.adopt(moved, handle, seq=seq, stdout=stdout, stderr=stderr)

    async def _end_lost(self, execution: Execution) -> None:
        if await end_as_error(
            execution,
            SANDBOX_GONE_MESSAGE,
            worker_id=self._worker_id,
            executions=self._executions,
            events=self._events,
            feed=self._feed,
        ):
            log.warning("execution %s ended as ERROR: its sandbox is gone", execution.id)
