"""The saved_scripts collection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import pymongo

from service.adapters.store.account_documents import SavedScriptDocument
from service.adapters.store.executions import decode_cursor, encode_cursor
from service.domain.limits import LimitsRequest
from service.domain.scripts import SavedScript
from service.services.accounts_port import Page


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
        query: dict[str, Any] = {"owner_id": owner_id}
        if after is not None:
            created_at, script_id = decode_cursor(after)
            query["$or"] = [
                {"created_at": {"$lt": created_at}},
                {"created_at": created_at, "_id": {"$lt": script_id}},
            ]
        cursor = (
            self._collection.find(query)
            .sort([("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)])
            .limit(first + 1)
        )
        raws = await cursor.to_list(length=first + 1)
        items = [script_from_dict(raw) for raw in raws[:first]]
        return Page(
            items=items,
            cursors=[encode_cursor(item.created_at, item.id) for item in items],
            has_next_page=len(raws) > first,
            has_previous_page=after is not None,
        )
