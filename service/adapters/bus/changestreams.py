"""Feeds the local bus from MongoDB change streams, so events, submissions and cancel
requests made by other processes (API replicas, a separate worker) arrive live here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from pymongo.errors import PyMongoError

from service.adapters.bus.local import LocalEventBus
from service.adapters.store.documents import (
    ExecutionDocument,
    ExecutionEventDocument,
    ExecutionInputDocument,
)
from service.adapters.store.mapping import event_from_dict

log = logging.getLogger(__name__)

_RETRY_SECONDS = 1.0


class ChangeStreamFeed:
    """Two change streams (events inserted; executions inserted or flagged for cancel)."""

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
        collection = ExecutionEventDocument.get_pymongo_collection()
        pipeline: list[dict[str, Any]] = [{"$match": {"operationType": "insert"}}]
        while True:
            try:
                async with await collection.watch(pipeline) as stream:
                    ready.set()
                    async for change in stream:
                        self._bus.publish(event_from_dict(change["fullDocument"]))
            except PyMongoError as error:
                log.warning("event change stream failed (%s); retrying", error)
                await asyncio.sleep(_RETRY_SECONDS)

    async def _follow_control(self, ready: asyncio.Event) -> None:
        collection = ExecutionDocument.get_pymongo_collection()
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "$or": [
                        {"operationType": "insert"},
                        {"updateDescription.updatedFields.cancel_requested": True},
                    ]
                }
            },
            {"$project": {"operationType": 1, "documentKey": 1}},
        ]
        while True:
            try:
                async with await collection.watch(pipeline) as stream:
                    ready.set()
                    async for change in stream:
                        if change["operationType"] == "insert":
                            self._bus.announce_queued()
                        else:
                            self._bus.request_cancel(change["documentKey"]["_id"])
            except PyMongoError as error:
                log.warning("execution change stream failed (%s); retrying", error)
                await asyncio.sleep(_RETRY_SECONDS)

    async def _follow_inputs(self, ready: asyncio.Event) -> None:
        collection = ExecutionInputDocument.get_pymongo_collection()
        pipeline: list[dict[str, Any]] = [{"$match": {"operationType": "insert"}}]
        while True:
            try:
                async with await collection.watch(pipeline) as stream:
                    ready.set()
                    async for change in stream:
                        self._bus.announce_input(change["fullDocument"]["execution_id"])
            except PyMongoError as error:
                log.warning("input change stream failed (%s); retrying", error)
                await asyncio.sleep(_RETRY_SECONDS)
