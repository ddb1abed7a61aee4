"""The executions collection: create, guarded transitions, claims and pages."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import pymongo
from pymongo.errors import DuplicateKeyError

from service.adapters.store.documents import ExecutionDocument
from service.adapters.store.mapping import execution_from_dict, execution_to_dict
from service.adapters.store.outages import translates_outages
from service.adapters.store.paging import keyset_page
from service.adapters.store.transitions import transition_query, transition_update
from service.domain.executions import Execution
from service.domain.statuses import ACTIVE_STATUSES, TERMINAL_STATUSES, ExecutionStatus
from service.domain.transitions import Transition
from service.services.ports.store import ExecutionFilter, ExecutionPage

_ACTIVE = sorted(s.value for s in ACTIVE_STATUSES)
_TERMINAL = sorted(s.value for s in TERMINAL_STATUSES)
# Filters below are shaped for the store's planner: bare equalities plus at most one `$in`
# (never `$nin`, never two operators), so that an index serves them instead of a scan.
_NOT_TERMINAL = sorted(s.value for s in ExecutionStatus if s not in TERMINAL_STATUSES)


@translates_outages
class MongoExecutionRepository:
    """ExecutionRepository over the `executions` collection."""

    def __init__(self) -> None:
        self._collection = ExecutionDocument.get_pymongo_collection()

    async def create(self, execution: Execution) -> Execution | None:
        try:
            await self._collection.insert_one(execution_to_dict(execution))
        except DuplicateKeyError:
            return None
        return execution

    async def get(self, execution_id: str) -> Execution | None:
        raw = await self._collection.find_one({"_id": execution_id})
        return execution_from_dict(raw) if raw else None

    async def get_by_idempotency_key(self, owner_id: str | None, key: str) -> Execution | None:
        raw = await self._collection.find_one({"owner_id": owner_id, "idempotency_key": key})
        return execution_from_dict(raw) if raw else None

    async def page(self, *, first: int, after: str | None, where: ExecutionFilter) -> ExecutionPage:
        query: dict[str, Any] = {}
        if where.statuses:
            query["status"] = {"$in": [s.value for s in where.statuses]}
        if where.owner_id is not None or where.anonymous_only:
            query["owner_id"] = where.owner_id
        if where.runtime is not None:
            query["runtime"] = where.runtime
        created: dict[str, datetime] = {}
        if where.created_after is not None:
            created["$gte"] = where.created_after
        if where.created_before is not None:
            created["$lt"] = where.created_before
        if created:
            query["created_at"] = created
        return await keyset_page(
            self._collection,
            query,
            first=first,
            after=after,
            newest_first=True,
            item_from=execution_from_dict,
        )

    # Guarded writes use `update_one` and then read the record back by `_id`, never
    # `find_one_and_update`: SecantusDB (0.7) re-applies a findAndModify's filter as
    # `{_id, $and: [filter]}`, which its planner cannot serve from any index, so every such
    # write scanned the whole collection (measured: 45 ms per write at 3,000 executions).
    # `update_one` on `_id` plus conditions is a point lookup (about 1 ms at any size).

    async def apply(self, execution_id: str, transition: Transition) -> bool:
        result = await self._collection.update_one(
            transition_query(execution_id, transition), transition_update(transition)
        )
        return result.matched_count == 1

    async def apply_and_get(self, execution_id: str, transition: Transition) -> Execution | None:
        if not await self.apply(execution_id, transition):
            return None
        return await self.get(execution_id)

    async def reassign(
        self, execution_id: str, *, from_worker: str | None, to_worker: str
    ) -> Execution | None:
        result = await self._collection.update_one(
            {"_id": execution_id, "worker_id": from_worker, "status": {"$in": _ACTIVE}},
            {"$set": {"worker_id": to_worker}},
        )
        return await self.get(execution_id) if result.matched_count == 1 else None

    async def claim(self, execution_id: str, worker_id: str, at: datetime) -> bool:
        result = await self._collection.update_one(
            {"_id": execution_id, "status": ExecutionStatus.QUEUED.value},
            {
                "$set": {
                    "status": ExecutionStatus.SCHEDULED.value,
                    "worker_id": worker_id,
                    "scheduled_at": at,
                },
                "$inc": {"last_seq": 1},
            },
        )
        return result.modified_count == 1

    async def queued(self, limit: int) -> list[Execution]:
        # The (status, created_at) index finds the queued ones, but the store sorts whatever
        # it found (its planner does not read an index in order): one oldest costs about as
        # much as a few hundred (measured: 35 ms for one, 29 ms for 512, at 1,000 queued).
        # Hence one search for many, claimed one by one by id (`claim`, about 1 ms).
        cursor = (
            self._collection.find({"status": ExecutionStatus.QUEUED.value})
            .sort("created_at", pymongo.ASCENDING)
            .limit(limit)
        )
        return [execution_from_dict(raw) async for raw in cursor]

    async def request_cancel(self, execution_id: str) -> Execution | None:
        # Unknown or already terminal: nothing to flag; either way the caller gets the record.
        await self._collection.update_one(
            {"_id": execution_id, "status": {"$in": _NOT_TERMINAL}},
            {"$set": {"cancel_requested": True}},
        )
        return await self.get(execution_id)

    async def cancel_requested_among(self, execution_ids: Collection[str]) -> set[str]:
        if not execution_ids:
            return set()
        # `_id` `$in` alone is a primary-key lookup; the flag is checked here.
        cursor = self._collection.find(
            {"_id": {"$in": list(execution_ids)}}, {"_id": 1, "cancel_requested": 1}
        )
        return {raw["_id"] async for raw in cursor if raw.get("cancel_requested")}

    async def active_owned_by(self, worker_ids: Collection[str]) -> list[Execution]:
        found: list[Execution] = []
        for worker_id in worker_ids:  # one indexed (worker_id, status) range each
            cursor = self._collection.find({"worker_id": worker_id, "status": {"$in": _ACTIVE}})
            found.extend([execution_from_dict(raw) async for raw in cursor])
        return found

    async def active_worker_ids(self) -> set[str]:
        values = await self._collection.distinct("worker_id", {"status": {"$in": _ACTIVE}})
        return {v for v in values if isinstance(v, str)}

    async def count_active(self, owner_id: str | None) -> int:
        # Walks the (status, created_at) index over the unfinished executions only and
        # counts the owner's here: (owner_id, status) has no index, and an owner's whole
        # history (every anonymous execution, for the anonymous owner) would be scanned.
        cursor = self._collection.find({"status": {"$in": _NOT_TERMINAL}}, {"owner_id": 1})
        return sum([1 async for raw in cursor if raw.get("owner_id") == owner_id])

    async def created_since(self, owner_id: str, since: datetime, limit: int) -> list[datetime]:
        cursor = (
            self._collection.find(
                {"owner_id": owner_id, "created_at": {"$gt": since}}, {"created_at": 1}
            )
            .sort("created_at", pymongo.ASCENDING)
            .limit(limit)
        )
        return [raw["created_at"] async for raw in cursor]

    async def count_queued(self) -> int:
        return await self._collection.count_documents({"status": ExecutionStatus.QUEUED.value})
