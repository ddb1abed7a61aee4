"""The saved_scripts collection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.adapters.store.account_documents import SavedScriptDocument
from service.adapters.store.mapping import fields_to_dict, record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.adapters.store.paging import keyset_page
from service.domain.scripts import SavedScript
from service.services.ports.store import Page


def script_to_dict(script: SavedScript) -> dict[str, Any]:
    return record_to_dict(script)


def script_from_dict(raw: Mapping[str, Any]) -> SavedScript:
    return record_from_dict(SavedScript, raw)


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
        columns = fields_to_dict(SavedScript, fields)
        result = await self._collection.update_one({"_id": script_id}, {"$set": columns})
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
