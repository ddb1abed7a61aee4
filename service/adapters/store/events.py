"""The execution event log collection."""

from __future__ import annotations

from collections.abc import Sequence

import pymongo
from pymongo.errors import BulkWriteError, DuplicateKeyError

from service.adapters.store.documents import ExecutionEventDocument
from service.adapters.store.mapping import event_from_dict, event_to_dict
from service.adapters.store.outages import translates_outages
from service.domain.events import ExecutionEvent
from service.domain.sandboxes import OutputStream

_DUPLICATE_KEY = 11000


@translates_outages
class MongoEventLog:
    """EventLog over `execution_events`; the unique (execution_id, seq) index makes
    appends idempotent."""

    def __init__(self) -> None:
        self._collection = ExecutionEventDocument.get_pymongo_collection()

    async def append(self, event: ExecutionEvent) -> bool:
        try:
            await self._collection.insert_one(event_to_dict(event))
        except DuplicateKeyError:
            return False
        return True

    async def append_many(self, events: Sequence[ExecutionEvent]) -> None:
        if not events:
            return
        try:
            # Unordered: one duplicate (a replayed write after a lost reply) skips only itself.
            await self._collection.insert_many(
                [event_to_dict(event) for event in events], ordered=False
            )
        except BulkWriteError as error:
            if any(e.get("code") != _DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise

    async def after(self, execution_id: str, after_seq: int, limit: int) -> list[ExecutionEvent]:
        cursor = (
            self._collection.find({"execution_id": execution_id, "seq": {"$gt": after_seq}})
            .sort("seq", pymongo.ASCENDING)
            .limit(limit)
        )
        return [event_from_dict(raw) async for raw in cursor]

    async def last_seq(self, execution_id: str) -> int:
        raw = await self._collection.find_one(
            {"execution_id": execution_id}, {"seq": 1}, sort=[("seq", pymongo.DESCENDING)]
        )
        return int(raw["seq"]) if raw else 0

    async def output_of(self, execution_id: str) -> tuple[str, str]:
        stdout: list[str] = []
        stderr: list[str] = []
        # (execution_id, seq > 0) walks the unique index; `kind` is checked here, since
        # (execution_id, kind) has no index and would scan every event of every execution.
        cursor = self._collection.find(
            {"execution_id": execution_id, "seq": {"$gt": 0}}, {"kind": 1, "stream": 1, "data": 1}
        ).sort("seq", pymongo.ASCENDING)
        async for raw in cursor:
            if raw.get("kind") != "output":
                continue
            (stdout if raw["stream"] == OutputStream.STDOUT.value else stderr).append(raw["data"])
        return "".join(stdout), "".join(stderr)
