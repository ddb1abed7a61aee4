"""Worker liveness records (heartbeats), used to tell a dead worker's executions apart."""

from __future__ import annotations

from collections.abc import Collection

from service.adapters.store.documents import WorkerDocument
from service.adapters.store.outages import translates_outages
from service.services.ports.store import WorkerRecord


@translates_outages
class MongoWorkerRegistry:
    def __init__(self) -> None:
        self._collection = WorkerDocument.get_pymongo_collection()

    async def heartbeat(self, record: WorkerRecord) -> None:
        await self._collection.update_one(
            {"_id": record.id},
            {
                "$set": {"heartbeat_at": record.heartbeat_at},
                "$setOnInsert": {
                    "hostname": record.hostname,
                    "pid": record.pid,
                    "started_at": record.started_at,
                },
            },
            upsert=True,
        )

    async def get(self, worker_ids: Collection[str]) -> list[WorkerRecord]:
        cursor = self._collection.find({"_id": {"$in": list(worker_ids)}})
        return [
            WorkerRecord(
                id=raw["_id"],
                hostname=raw["hostname"],
                pid=raw["pid"],
                started_at=raw["started_at"],
                heartbeat_at=raw["heartbeat_at"],
            )
            async for raw in cursor
        ]

    async def remove(self, worker_id: str) -> None:
        await self._collection.delete_one({"_id": worker_id})
