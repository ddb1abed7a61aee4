"""Feeds the local bus from MongoDB change streams, so events, submissions and cancel
requests made by other processes (API replicas, a separate worker) arrive live here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from service.adapters.bus.local import LocalEventBus
from service.adapters.store.documents import (
    ExecutionDocument,
    ExecutionEventDocument,
    ExecutionInputDocument,
)
from service.adapters.store.mapping import event_from_dict, execution_from_dict
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus

log = logging.getLogger(__name__)

_RETRY_SECONDS = 1.0


class ChangeStreamFeed:
    """Three change streams: events inserted; executions inserted (queued work, handed to
    this process's worker) or flagged for cancel; stdin input inserted."""

    def __init__(self, bus: LocalEventBus) -> None:
        self._bus = bus
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._ready: dict[str, asyncio.Event] = {}

    @property
    def following(self) -> set[str]:
        return set(self._tasks)

    async def follow_events(self) -> None:
        """Publish events appended by other processes (idempotent)."""
        await self._follow("events", self._follow_events)

    async def follow_control(self) -> None:
        """Hear other processes' submissions, cancel requests and stdin input (idempotent)."""
        await self._follow("control", self._follow_control)
        await self._follow("inputs", self._follow_inputs)

    async def _follow(
        self, name: str, loop: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
    ) -> None:
        if name in self._tasks:
            return
        ready = self._ready[name] = asyncio.Event()
        self._tasks[name] = asyncio.create_task(loop(ready), name=f"feed-{name}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=10)

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _follow_events(self, ready: asyncio.Event) -> None:
        await _watch(
            ExecutionEventDocument.get_pymongo_collection(),
            [{"$match": {"operationType": "insert"}}],
            lambda change: self._bus.publish(event_from_dict(change["fullDocument"])),
            ready,
            "event",
        )

    async def _follow_control(self, ready: asyncio.Event) -> None:
        def on_change(change: Mapping[str, Any]) -> None:
            if change["operationType"] == "insert":
                queued = _queued_execution(change.get("fullDocument"))
                if isinstance(queued, Execution):
                    self._bus.queued_elsewhere(queued)
                elif queued:
                    self._bus.announce_queued()  # some work, but which is for a search to say
            else:
                self._bus.request_cancel(change["documentKey"]["_id"])

        await _watch(
            ExecutionDocument.get_pymongo_collection(),
            [
                {
                    "$match": {
                        "$or": [
                            {"operationType": "insert"},
                            {"updateDescription.updatedFields.cancel_requested": True},
                        ]
                    }
                },
                # An insert carries the execution, so a worker can claim it by id at
                # once rather than search the store for it.
                {"$project": {"operationType": 1, "documentKey": 1, "fullDocument": 1}},
            ],
            on_change,
            ready,
            "execution",
        )

    async def _follow_inputs(self, ready: asyncio.Event) -> None:
        await _watch(
            ExecutionInputDocument.get_pymongo_collection(),
            [{"$match": {"operationType": "insert"}}],
            lambda change: self._bus.announce_input(change["fullDocument"]["execution_id"]),
            ready,
            "input",
        )


def _queued_execution(document: Mapping[str, Any] | None) -> Execution | bool:
    """What an inserted execution document means for a worker: the execution when it is
    queued, False when it was stored already claimed (by the worker of the process that
    stored it), True when it cannot be read here (a search will find it)."""
    if document is None:
        return True
    if document.get("status") != ExecutionStatus.QUEUED.value:
        return False
    try:
        return execution_from_dict(dict(document))
    except (KeyError, TypeError, ValueError):
        log.warning("an inserted execution could not be read: %r", document.get("_id"))
        return True


async def _watch(
    collection: AsyncCollection[Any],
    pipeline: list[dict[str, Any]],
    on_change: Callable[[Mapping[str, Any]], None],
    ready: asyncio.Event,
    what: str,
) -> None:
    """Follow a change stream for good: `ready` once it is open, reopened after a failure."""
    while True:
        try:
            async with await collection.watch(pipeline) as stream:
                ready.set()
                async for change in stream:
                    on_change(change)
        except PyMongoError as error:
            log.warning("%s change stream failed (%s); retrying", what, error)
            await asyncio.sleep(_RETRY_SECONDS)
