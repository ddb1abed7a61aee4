"""Which Podrun processes share this store, and in which roles (api, worker).

Change streams cost the store on every write, so a process follows them only when another
process needs what it would hear: an API needs a separate worker's events; a worker needs a
separate API's submissions and cancel requests.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from service.adapters.store.documents import ProcessDocument
from service.adapters.store.outages import translates_outages


@translates_outages
class MongoPresence:
    def __init__(self) -> None:
        self._collection = ProcessDocument.get_pymongo_collection()

    async def announce(
        self, process_id: str, roles: Collection[str], hostname: str, pid: int, at: datetime
    ) -> None:
        await self._collection.update_one(
            {"_id": process_id},
            {
                "$set": {"heartbeat_at": at, "roles": sorted(roles)},
                "$setOnInsert": {"hostname": hostname, "pid": pid, "started_at": at},
            },
            upsert=True,
        )

    async def other_roles(self, process_id: str, fresh_since: datetime) -> set[str]:
        """Roles of the other processes that were alive since `fresh_since`."""
        cursor = self._collection.find(
            {"_id": {"$ne": process_id}, "heartbeat_at": {"$gte": fresh_since}}, {"roles": 1}
        )
        return {role async for raw in cursor for role in raw.get("roles", [])}

    async def leave(self, process_id: str) -> None:
        await self._collection.delete_one({"_id": process_id})

    @staticmethod
    def freshness(now: datetime, seconds: float) -> datetime:
        return now - timedelta(seconds=seconds)
