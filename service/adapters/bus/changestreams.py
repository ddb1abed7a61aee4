"""Feeds the local bus from MongoDB change streams, so events, submissions and cancel
requests made by other processes (API replicas, a separate worker) arrive live here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from pymongo.errors import PyMongoError

from service.adapters.bus.local import LocalEventBus
from service.adapters.store.documents import ExecutionDocument, ExecutionEventDocument
from service.adapters.store.mapping import event_from_dict

log = logging.getLogger(__name__)

_RETRY_SECONDS = 1.0


class ChangeStreamFeed:
    """Two change streams (events inserted; executions inserted or flagged for cancel)."""

    def __init__(self, bus: LocalEventBus, *, events: bool = True, control: bool = True) -> None:
        self._bus = bus
        self._tasks: list[asyncio.Task[None]] = []
        self._want_events = events
        self._want_control = control
        self.ready = asyncio.Event()
        self._ready_count = 0

    async def start(self) -> None:
        if self._want_events:
            self._tasks.append(asyncio.create_task(self._follow_events(), name="feed-events"))
        if self._want_control:
            self._tasks.append(asyncio.create_task(self._follow_control(), name="feed-control"))
        if not self._tasks:
            self.ready.set()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), timeout=10)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _mark_ready(self) -> None:
        self._ready_count += 1
        if self._ready_count >= len(self._tasks):
            self.ready.set()

    async def _follow_events(self) -> None:
        collection = ExecutionEventDocument.get_pymongo_collection()
        pipeline: list[dict[str, Any]] = [{"$match": {"operationType": "insert"}}]
        first = True
        while True:
            try:
                async with await collection.watch(pipeline) as stream:
                    if first:
                        self._mark_ready()
                        first = False
                    async for change in stream:
                        self._bus.publish(event_from_dict(change["fullDocument"]))
            except PyMongoError as error:
                log.warning("event change stream failed (%s); retrying", error)
                await asyncio.sleep(_RETRY_SECONDS)

    async def _follow_control(self) -> None:
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
        first = True
        while True:
            try:
                async with await collection.watch(pipeline) as stream:
                    if first:
                        self._mark_ready()
                        first = False
                    async for change in stream:
                        if change["operationType"] == "insert":
                            self._bus.announce_queued()
                        else:
                            self._bus.request_cancel(change["documentKey"]["_id"])
            except PyMongoError as error:
                log.warning("execution change stream failed (%s); retrying", error)
                await asyncio.sleep(_RETRY_SECONDS)
