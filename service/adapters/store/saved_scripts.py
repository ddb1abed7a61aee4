"""The saved_scripts collection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from service.adapters.store.account_documents import SavedScriptDocument
from service.adapters.store.outages import translates_outages
from service.adapters.store.paging import keyset_page
from service.domain.limits import LimitsRequest
from service.domain.scripts import SavedScript
from service.services.ports.store import Page


def script_to_dict(script: SavedScript) -> dict[str, Any]:
    return {
        "_id": script.id,
        "owner_id": script.owner_id,
        "name": script.name,
        "script": script.script,
        "runtime": script.runtime,
        "stdin": script.stdin,
        "limits": limits_to_dict(script.limits),
        "created_at": script.created_at,
        "updated_at": script.updated_at,
    }


def limits_to_dict(limits: LimitsRequest | None) -> dict[str, Any] | None:
    return asdict(limits) if limits is not None else None


def script_from_dict(raw: dict[str, Any]) -> SavedScript:
    limits = raw.get("limits")
    return SavedScript(
        id=raw["_id"],
        owner_id=raw["owner_id"],
        name=raw["name"],
        script=raw["script"],
        runtime=raw.get("runtime"),
        stdin=raw.get("stdin"),
        limits=LimitsRequest(**limits) if limits else None,
        created_at=raw["created_at"],
        updated_at=raw["updated_at"],
    )


@translates_outages
class MongoSavedScriptRepository:
    def __init__(self) -> None:
        self._collection = SavedScriptDocument.get_pymongo_collection()

    async def create(self, script: SavedScript) -> SavedScript:
        await self._collection.insert_one(script_to_dict(script))
        return script

    async def get(self, script_id: str) -> SavedScript | None:
        raw = await self._collection.find_one({"_id": script_id})
        return script_from_dict(raw) if raw else None

    async def update(self, script_id: str, fields: Mapping[str, Any]) -> SavedScript | None:
        # `update_one`, not findAndModify, which SecantusDB serves with a collection scan.
        result = await self._collection.update_one({"_id": script_id}, {"$set": dict(fields)})
        return await self.get(script_id) if result.matched_count == 1 else None

    async def delete(self, script_id: str) -> bool:
        result = await self._collection.delete_one({"_id": script_id})
        return bool(result.deleted_count)

    async def page(self, *, owner_id: str, first: int, after: str | None) -> Page[SavedScript]:
        return await keyset_page(
            self._collection,
            {"owner_id": owner_id},
            first=first,
            after=after,
            newest_first=True,
            item_from=script_from_dict,
        )
