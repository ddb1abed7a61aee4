"""The webhooks collection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pymongo

from service.adapters.store.mapping import fields_to_dict, record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.adapters.store.webhook_documents import WebhookDocument
from service.domain.webhooks import Webhook


@translates_outages
class MongoWebhookRepository:
    def __init__(self) -> None:
        self._collection = WebhookDocument.get_pymongo_collection()

    async def create(self, webhook: Webhook) -> Webhook:
        await self._collection.insert_one(record_to_dict(webhook))
        return webhook

    async def get(self, webhook_id: str) -> Webhook | None:
        raw = await self._collection.find_one({"_id": webhook_id})
        return record_from_dict(Webhook, raw) if raw else None

    async def update(self, webhook_id: str, fields: Mapping[str, Any]) -> Webhook | None:
        columns = fields_to_dict(Webhook, fields)
        result = await self._collection.update_one({"_id": webhook_id}, {"$set": columns})
        return await self.get(webhook_id) if result.matched_count == 1 else None

    async def delete(self, webhook_id: str) -> bool:
        result = await self._collection.delete_one({"_id": webhook_id})
        return bool(result.deleted_count)

    async def of_owner(self, owner_id: str | None) -> list[Webhook]:
        query = {} if owner_id is None else {"owner_id": owner_id}
        cursor = self._collection.find(query).sort("created_at", pymongo.ASCENDING)
        return [record_from_dict(Webhook, raw) async for raw in cursor]

    async def count_of_owner(self, owner_id: str) -> int:
        return await self._collection.count_documents({"owner_id": owner_id})

    async def enabled(self) -> list[Webhook]:
        cursor = self._collection.find({"enabled": True})
        return [record_from_dict(Webhook, raw) async for raw in cursor]
