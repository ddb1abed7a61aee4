"""The dispatcher: claims QUEUED executions atomically, in turn, while capacity allows.

Whose turn it is follows :mod:`service.domain.turns`: first in, first out within an owner,
and the owner with the fewest executions running on this worker first. The dispatcher keeps
the queued executions it knows of in a `TurnQueue` and claims them one by one by id:

- an execution submitted in this process arrives with its wake-up (`wake(execution)`), and so
  does one submitted elsewhere when the change stream carries it;
- the store is searched (the oldest `_MAX_KNOWN` at once) when work may be waiting that the
  queue does not hold: at start, on a wake that names nothing, every `poll_seconds` as a
  safety net, and when the queue runs low while more wait beyond it. A search costs the store
  about as much for one execution as for hundreds, a claim by id very little.

A submission in this process can also take a slot directly (`reserve`, then `start`): the
execution is then stored already claimed by this worker, which saves the store a write and
the execution the wait for a claim. That happens only when nothing is queued here: the queue
is empty, no search is pending, and no earlier submission turned away by `reserve` is still
on its way into the queue (`arrived`). Otherwise a new submission would take a freed slot
ahead of executions that were waiting for it.

A run on a workspace starts only once it holds the workspace
(:mod:`service.services.workspaces.running`); until then it is parked, and the ones after it on
the same workspace behind it, while other work takes the slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, OrderedDict

from service.domain.events import StatusEvent
from service.domain.executions import Execution
from service.domain.turns import TurnQueue
from service.services.clock import utcnow
from service.services.ports.store import ExecutionRepository
from service.services.worker.observing import ExecutionObserver
from service.services.workspaces.running import WorkspaceRuns

log = logging.getLogger(__name__)

# Queued executions held in memory; beyond this the newer ones wait in the store for a search.
_MAX_KNOWN = 512
# Executions taken off the queue that a late notice (a change-stream echo) must not bring back.
_MAX_GONE = 4096


class Dispatcher:
    """Starts queued executions on this worker's free slots, in turn."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        observer: ExecutionObserver,
        worker_id: str,
        capacity: int,
        poll_seconds: float = 1.0,
        workspace_runs: WorkspaceRuns | None = None,
    ) -> None:
        self._executions = executions
        # Runs on one workspace take turns: one waiting for its workspace is parked here
        # (off the queue, in order, by workspace) until a run on it ends here or the next
        # search finds it still queued (the run holding it may be another worker's).
        self._workspace_runs = workspace_runs
        self._parked: dict[str, list[Execution]] = {}
        self._workspace_of: dict[asyncio.Task[None], str] = {}
        self._observer = observer
        self._worker_id = worker_id
        self._capacity = capacity
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        # Each run and its owner, and how many each owner runs here (whose turn it is).
        self._runs: dict[asyncio.Task[None], str | None] = {}
        self._running: Counter[str | None] = Counter()
        self._accepting = True
        self._queue = TurnQueue()
        self._gone: OrderedDict[str, None] = OrderedDict()
        self._search = True  # queued work may exist that the queue does not hold
        self._search_due = 0.0  # monotonic time of the next safety-net search
        self._searching = False
        # Hints that arrived during a search: the search's answer may predate them.
        self._learning: list[Execution] | None = None
        # The queue holds the oldest `_MAX_KNOWN` only; newer ones wait in the store.
        self._beyond = False
        self._reserved = 0  # slots promised to submissions being stored
        self._claiming = False  # a slot is being claimed for a queued execution
        self._arriving = 0  # submissions turned away by `reserve`, not yet queued
        self._active = False  # the claim loop runs (a standby dispatcher takes nothing)

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def in_use(self) -> int:
        return len(self._runs)

    def reserve(self) -> str | None:
        """A slot for an execution about to be stored as claimed by this worker: its id, or
        None when no slot is free or something is queued. The submission is then queued as
        usual and must report `arrived` once it is (or once it failed)."""
        if (
            not (self._active and self._accepting)
            or self._used() >= self._capacity
            or self._queued_here()
        ):
            self._arriving += 1
            return None
        self._reserved += 1
        return self._worker_id

    def arrived(self) -> None:
        """A submission that `reserve` turned away is now queued and announced (or was not
        stored at all): it no longer holds back direct hand-overs."""
        self._arriving -= 1
        self._wake.set()

    def release(self) -> None:
        """Give back a reserved slot: the execution was not stored."""
        self._reserved -= 1
        self._wake.set()

    def start(self, execution: Execution, queued: StatusEvent) -> None:
        """Run a stored execution claimed with a reserved slot; its QUEUED event `queued`
        was published ahead and is stored with the run's first batch of events."""
        self._reserved -= 1
        self._track(execution, asyncio.create_task(self._observer.run(execution, queued=queued)))

    def wake(self, execution: Execution | None = None) -> None:
        """Work may be waiting: `execution`, just queued, or (None) anything in the store."""
        if execution is None:
            self._search = True
        elif execution.id not in self._gone and not self._beyond:
            if len(self._queue) >= _MAX_KNOWN:
                self._beyond = True  # it waits in the store, behind the ones held here
            elif self._queue.add(execution) and self._learning is not None:
                self._learning.append(execution)
        self._wake.set()

    async def run(self) -> None:
        """Claim and start work until cancelled."""
        self._active = True
        try:
            while True:
                self._wake.clear()
                while self._accepting and self._used() < self._capacity:
                    self._claiming = True
                    try:
                        execution = await self._claim()
                    except Exception:
                        log.exception("claiming work failed")
                        break
                    finally:
                        self._claiming = False
                    if execution is None:
                        break
                    self._track(
                        execution,
                        asyncio.create_task(
                            self._observer.run(execution), name=f"run-{execution.id}"
                        ),
                    )
                if self._accepting and self._used() < self._capacity:
                    timeout = max(0.0, self._search_due - time.monotonic())
                else:
                    timeout = self._poll_seconds  # a run that ends wakes the loop
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
        finally:
            self._active = False

    def _used(self) -> int:
        return len(self._runs) + self._reserved + self._claiming

    def _queued_here(self) -> bool:
        """Something is, or may be, queued ahead of a new submission."""
        return bool(
            len(self._queue) or self._arriving or self._search or self._searching or self._beyond
        )

    def _track(self, execution: Execution, task: asyncio.Task[None]) -> None:
        self._runs[task] = execution.owner_id
        self._running[execution.owner_id] += 1
        if execution.workspace_id is not None:
            self._workspace_of[task] = execution.workspace_id
        task.add_done_callback(self._run_done)

    def _run_done(self, task: asyncio.Task[None]) -> None:
        owner = self._runs.pop(task)
        self._running[owner] -= 1
        if not self._running[owner]:
            del self._running[owner]
        workspace_id = self._workspace_of.pop(task, None)
        if workspace_id is not None:
            # Its workspace is free (the run left it before it ended): the next one's turn.
            for waiting in self._parked.pop(workspace_id, []):
                self._gone.pop(waiting.id, None)
                self._queue.add(waiting)
        self._wake.set()

    async def _turn_of(self, execution: Execution) -> bool:
        """Whether `execution` may start now: it runs on no workspace, or it holds its
        workspace; else it is parked behind the run that holds it (and any parked before)."""
        workspace_id = execution.workspace_id
        if workspace_id is None or self._workspace_runs is None:
            return True
        parked = self._parked.get(workspace_id)
        if parked is None and await self._workspace_runs.enter(execution):
            return True
        self._parked.setdefault(workspace_id, []).append(execution)
        return False

    async def _claim(self) -> Execution | None:
        """Claim the execution whose turn it is; None when nothing is queued."""
        if (
            self._search
            or time.monotonic() >= self._search_due
            or (self._beyond and len(self._queue) < _MAX_KNOWN // 2)
        ):
            await self._refill()
        while (candidate := self._queue.next(self._running)) is not None:
            self._take(candidate.id)
            if not await self._turn_of(candidate):
                continue
            at = utcnow()
            if await self._executions.claim(candidate.id, self._worker_id, at):
                return candidate.claimed_by(self._worker_id, at)
        return None

    async def _refill(self) -> None:
        """Replace the queue with the oldest queued executions in the store, plus those that
        were announced while the store was being read."""
        self._searching = True
        self._learning = []
        try:
            found = await self._executions.queued(_MAX_KNOWN)
        finally:
            learned, self._learning = self._learning, None
            self._searching = False
            self._search_due = time.monotonic() + self._poll_seconds
        queue = TurnQueue()
        # Parked runs still queued are among `found`: each tries for its turn again.
        self._parked.clear()
        for execution in found:
            queue.add(execution)
        self._beyond = len(found) >= _MAX_KNOWN
        if not self._beyond:
            for execution in learned:
                queue.add(execution)
        self._queue = queue
        self._search = False

    def _take(self, execution_id: str) -> None:
        self._queue.remove(execution_id)
        self._gone[execution_id] = None
        if len(self._gone) > _MAX_GONE:
            self._gone.popitem(last=False)

    async def drain(self, timeout: float) -> None:
        """Stop claiming; wait up to `timeout` for running executions, then cut them short."""
        self._accepting = False
        if self._runs:
            _, pending = await asyncio.wait(set(self._runs), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=10)
