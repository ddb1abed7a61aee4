"""A leader-elected worker: of several worker replicas, only the leader dispatches and watches.

Used when sandboxes outlive their worker (Kubernetes pods). Every replica campaigns; the one
that wins serves a *term*: it starts watching (`begin`), takes over the executions earlier
leaders left running (`Adoption`), then runs a full `Worker` (dispatcher, cancel polling,
heartbeats) and the housekeeping (the reaper). When leadership is lost the term ends at once:
its runs are cut short without touching their sandboxes, which the next leader adopts, and
the replica campaigns again. Local workers do not use this: each of them dispatches, with
atomic claims.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from service.domain.executions import Execution
from service.services.worker.adopting import Adoption
from service.services.worker.dispatching import Dispatcher
from service.services.worker.working import Worker

log = logging.getLogger(__name__)


class Leadership(Protocol):
    """One replica at a time holds it (e.g. a Kubernetes Lease)."""

    @property
    def lost(self) -> asyncio.Event:
        """Set when leadership ends (could not renew, or someone else took it)."""
        ...

    async def acquire(self) -> None:
        """Return once this replica leads; keep renewing in the background."""
        ...

    async def release(self) -> None:
        """Stop renewing and hand leadership back at once."""
        ...


class LeadingWorker:
    """Campaigns for leadership and runs a `Worker` for as long as it leads."""

    def __init__(
        self,
        *,
        worker_id: str,
        leadership: Leadership,
        new_worker: Callable[[], Worker],
        adoption: Adoption,
        standby: Dispatcher,
        begin: Callable[[], Awaitable[None]],
        end: Callable[[], Awaitable[None]],
        housekeeping: Callable[[], Coroutine[Any, Any, None]] | None = None,
        retry_seconds: float = 2.0,
    ) -> None:
        self.worker_id = worker_id
        self._leadership = leadership
        self._new_worker = new_worker
        self._adoption = adoption
        self._standby = standby
        self._begin = begin
        self._end = end
        self._housekeeping = housekeeping
        self._retry_seconds = retry_seconds
        self._term: Worker | None = None
        self._term_tasks: set[asyncio.Task[None]] = set()
        self._campaign: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self.terms = 0

    @property
    def is_leader(self) -> bool:
        return self._term is not None

    @property
    def dispatcher(self) -> Dispatcher:
        """The leading term's dispatcher; an idle one on a standby replica."""
        return self._term.dispatcher if self._term is not None else self._standby

    def wake(self, execution: Execution | None = None) -> None:
        """Work may be waiting: the leading term's dispatcher claims it (a standby's ignores
        it)."""
        self.dispatcher.wake(execution)

    def alive(self, stale_after_seconds: float) -> bool:
        """Whether it still campaigns and, while it leads, its term's loops still run."""
        if self._campaign is None:
            return True  # not started, or stopped: nothing to judge
        if self._campaign.done():
            return False
        term = self._term
        return term is None or term.alive(stale_after_seconds)

    async def start(self) -> None:
        self._campaign = asyncio.create_task(self._campaign_loop(), name="worker-campaign")
        # A standby replica is healthy: it is ready to take over.
        self.ready.set()

    async def stop(self) -> None:
        if self._campaign is not None:
            self._campaign.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._campaign
            self._campaign = None

    async def _campaign_loop(self) -> None:
        while True:
            await self._leadership.acquire()
            try:
                await self._serve_term()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("leading failed; handing leadership back")
            finally:
                await self._end_term()
                await self._leadership.release()
            await asyncio.sleep(self._retry_seconds)

    async def _serve_term(self) -> None:
        self.terms += 1
        log.info("worker %s leads: watching and dispatching", self.worker_id)
        await self._begin()
        worker = self._new_worker()
        self._term = worker
        for run in await self._adoption.take_over():
            self._spawn(run, "adopted-run")
        await worker.start()
        if self._housekeeping is not None:
            self._spawn(self._housekeeping(), "housekeeping")
        await self._leadership.lost.wait()
        log.warning(
            "worker %s lost leadership: stopping; the next leader adopts running sandboxes",
            self.worker_id,
        )

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._term_tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._term_tasks.discard(finished)
            self.dispatcher.wake()  # capacity freed

        task.add_done_callback(done)

    async def _end_term(self) -> None:
        worker, self._term = self._term, None
        if worker is not None:
            with contextlib.suppress(Exception):
                await worker.stop()
        tasks = list(self._term_tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self._end()
