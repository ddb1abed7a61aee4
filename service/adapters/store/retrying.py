"""The worker's view of the store: every call waits out an outage (`StoreUnavailable`),
retried with backoff for up to `OutageRetry.tolerance_seconds`, so a run in flight survives
a store restart instead of ending as a fault. Only the worker's components get these
wrappers (wired in :mod:`service.entrypoints.wiring`); the API fails fast.

A write that failed with a lost connection may have been applied before the connection went.
Retrying it is safe where the write is idempotent (event appends: the unique (execution_id,
seq) index; the cancel flag). Guarded writes are not: a transition applied before the drop
fails its status guard on the retry. So, after a failed attempt, a guard that no longer
matches is checked against the record: the write counts as done when the record shows it
(the target status, that seq as `last_seq`, this worker; a claim with its own timestamp).

Each wrapper also remembers its recent writes and applies them again after an outage (see
`RecentWrites`): appends are idempotent, and each guarded write still carries its guard, so
one that did survive is a no-op.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from typing import TypeVar

from service.adapters.store.outages import OutageRetry, RecentWrites
from service.domain.events import ExecutionEvent
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition
from service.services.ports.store import (
    EventLog,
    ExecutionFilter,
    ExecutionPage,
    ExecutionRepository,
)

T = TypeVar("T")


def _to_store_precision(at: datetime) -> datetime:
    # BSON dates keep milliseconds.
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _shows_claim(record: Execution | None, worker_id: str, at: datetime) -> bool:
    return (
        record is not None
        and record.status is ExecutionStatus.SCHEDULED
        and record.worker_id == worker_id
        and record.scheduled_at is not None
        and _to_store_precision(record.scheduled_at) == _to_store_precision(at)
    )


class RetryingExecutionRepository:
    """ExecutionRepository that waits out store outages (see the module docstring)."""

    def __init__(self, inner: ExecutionRepository, retry: OutageRetry) -> None:
        self._inner = inner
        self._retry = retry
        self._recent = RecentWrites(retry)
        retry.on_outage_end(self._recent.replay_after_outage)

    async def _read(self, what: str, read: Callable[[], Awaitable[T]]) -> T:
        return await self._retry.call(what, lambda _: read())

    async def create(self, execution: Execution) -> Execution | None:
        async def attempt(retried: bool) -> Execution | None:
            created = await self._inner.create(execution)
            if created is None and retried and await self._inner.get(execution.id) is not None:
                return execution  # the first attempt stored it
            return created

        return await self._retry.call(f"storing execution {execution.id}", attempt)

    async def get(self, execution_id: str) -> Execution | None:
        return await self._read(f"reading {execution_id}", lambda: self._inner.get(execution_id))

    async def get_by_idempotency_key(self, owner_id: str | None, key: str) -> Execution | None:
        return await self._read(
            "an idempotency key lookup", lambda: self._inner.get_by_idempotency_key(owner_id, key)
        )

    async def page(self, *, first: int, after: str | None, where: ExecutionFilter) -> ExecutionPage:
        return await self._read(
            "a page of executions",
            lambda: self._inner.page(first=first, after=after, where=where),
        )

    async def count_active(self, owner_id: str | None) -> int:
        return await self._read("counting", lambda: self._inner.count_active(owner_id))

    async def created_since(self, owner_id: str, since: datetime, limit: int) -> list[datetime]:
        return await self._read(
            "counting", lambda: self._inner.created_since(owner_id, since, limit)
        )

    async def apply(self, execution_id: str, transition: Transition) -> bool:
        def write() -> Awaitable[bool]:
            return self._inner.apply(execution_id, transition)

        async def attempt(retried: bool) -> bool:
            await self._recent.replay_after_outage()
            if await write():
                return True
            return retried and _shows(await self._inner.get(execution_id), transition)

        done = await self._retry.call(self._describe(execution_id, transition), attempt)
        if done:
            self._recent.remember(write)
        return done

    async def apply_and_get(self, execution_id: str, transition: Transition) -> Execution | None:
        def write() -> Awaitable[Execution | None]:
            return self._inner.apply_and_get(execution_id, transition)

        async def attempt(retried: bool) -> Execution | None:
            await self._recent.replay_after_outage()
            written = await write()
            if written is not None or not retried:
                return written
            record = await self._inner.get(execution_id)
            return record if _shows(record, transition) else None

        done = await self._retry.call(self._describe(execution_id, transition), attempt)
        if done is not None:
            self._recent.remember(write)
        return done

    @staticmethod
    def _describe(execution_id: str, transition: Transition) -> str:
        return f"the {transition.target.value} write of {execution_id}"

    async def reassign(
        self, execution_id: str, *, from_worker: str | None, to_worker: str
    ) -> Execution | None:
        def write() -> Awaitable[Execution | None]:
            return self._inner.reassign(execution_id, from_worker=from_worker, to_worker=to_worker)

        async def attempt(retried: bool) -> Execution | None:
            await self._recent.replay_after_outage()
            moved = await write()
            if moved is not None or not retried:
                return moved
            record = await self._inner.get(execution_id)
            if record is None or record.status.is_terminal or record.worker_id != to_worker:
                return None
            return record

        done = await self._retry.call(f"taking over {execution_id}", attempt)
        if done is not None:
            self._recent.remember(write)
        return done

    async def queued(self, limit: int) -> list[Execution]:
        return await self._read("reading queued work", lambda: self._inner.queued(limit))

    async def claim(self, execution_id: str, worker_id: str, at: datetime) -> bool:
        def write() -> Awaitable[bool]:
            return self._inner.claim(execution_id, worker_id, at)

        async def attempt(retried: bool) -> bool:
            await self._recent.replay_after_outage()
            if await write():
                return True
            return retried and _shows_claim(await self._inner.get(execution_id), worker_id, at)

        done = await self._retry.call(f"claiming {execution_id}", attempt)
        if done:
            self._recent.remember(write)
        return done

    async def request_cancel(self, execution_id: str) -> Execution | None:
        return await self._read(
            f"flagging {execution_id} for cancel", lambda: self._inner.request_cancel(execution_id)
        )

    async def cancel_requested_among(self, execution_ids: Collection[str]) -> set[str]:
        return await self._read(
            "reading cancel requests", lambda: self._inner.cancel_requested_among(execution_ids)
        )

    async def active_owned_by(self, worker_ids: Collection[str]) -> list[Execution]:
        return await self._read(
            "reading active executions", lambda: self._inner.active_owned_by(worker_ids)
        )

    async def active_worker_ids(self) -> set[str]:
        return await self._read("reading active workers", self._inner.active_worker_ids)

    async def count_queued(self) -> int:
        return await self._read("counting queued work", self._inner.count_queued)


def _shows(record: Execution | None, transition: Transition) -> bool:
    """Whether `record` is what `transition` left (its target, its seq, its worker)."""
    return (
        record is not None
        and record.status is transition.target
        and (transition.seq is None or record.last_seq == transition.seq)
        and (transition.worker_id is None or record.worker_id == transition.worker_id)
    )


class RetryingEventLog:
    """EventLog that waits out store outages; appends are idempotent by (execution_id, seq)."""

    def __init__(self, inner: EventLog, retry: OutageRetry) -> None:
        self._inner = inner
        self._retry = retry
        self._recent = RecentWrites(retry)
        retry.on_outage_end(self._recent.replay_after_outage)

    async def append(self, event: ExecutionEvent) -> bool:
        async def attempt(_: bool) -> bool:
            await self._recent.replay_after_outage()
            return await self._inner.append(event)

        appended = await self._retry.call(
            f"storing event {event.seq} of {event.execution_id}", attempt
        )
        self._recent.remember(lambda: self._inner.append(event))
        return appended

    async def append_many(self, events: Sequence[ExecutionEvent]) -> None:
        if not events:
            return
        batch = list(events)

        async def attempt(_: bool) -> None:
            await self._recent.replay_after_outage()
            await self._inner.append_many(batch)

        first = batch[0]
        await self._retry.call(
            f"storing {len(batch)} event(s) of {first.execution_id} from seq {first.seq}",
            attempt,
        )
        self._recent.remember(lambda: self._inner.append_many(batch))

    async def after(self, execution_id: str, after_seq: int, limit: int) -> list[ExecutionEvent]:
        return await self._retry.call(
            f"reading events of {execution_id}",
            lambda _: self._inner.after(execution_id, after_seq, limit),
        )

    async def last_seq(self, execution_id: str) -> int:
        return await self._retry.call(
            f"reading events of {execution_id}", lambda _: self._inner.last_seq(execution_id)
        )

    async def output_of(self, execution_id: str) -> tuple[str, str]:
        return await self._retry.call(
            f"reading output of {execution_id}", lambda _: self._inner.output_of(execution_id)
        )
