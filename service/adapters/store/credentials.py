"""The refresh_tokens and api_tokens collections."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pymongo

from service.adapters.store.account_documents import ApiTokenDocument, RefreshTokenDocument
from service.adapters.store.mapping import record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.domain.credentials import ApiTokenRecord, RefreshTokenRecord


def _to_dict(record: RefreshTokenRecord | ApiTokenRecord) -> dict[str, Any]:
    return record_to_dict(record)


def _refresh_from(raw: Mapping[str, Any]) -> RefreshTokenRecord:
    return record_from_dict(RefreshTokenRecord, raw)


def _api_from(raw: Mapping[str, Any]) -> ApiTokenRecord:
    return record_from_dict(ApiTokenRecord, raw)


@translates_outages
class MongoRefreshTokenRepository:
    def __init__(self) -> None:
        self._collection = RefreshTokenDocument.get_pymongo_collection()

    async def create(self, record: RefreshTokenRecord) -> None:
        await self._collection.insert_one(_to_dict(record))

    async def get(self, token_id: str) -> RefreshTokenRecord | None:
        raw = await self._collection.find_one({"_id": token_id})
        return _refresh_from(raw) if raw else None

    async def mark_used(self, token_id: str, at: datetime) -> RefreshTokenRecord | None:
        # One atomic write decides the race between two uses of the same token: the
        # second finds it used and is treated as reuse. (`update_one`, not findAndModify,
        # which SecantusDB serves with a collection scan.)
        result = await self._collection.update_one(
            {"_id": token_id, "used_at": None, "revoked_at": None},
            {"$set": {"used_at": at}},
        )
        return await self.get(token_id) if result.modified_count == 1 else None

    async def revoke_family(self, family_id: str, at: datetime) -> int:
        result = await self._collection.update_many(
            {"family_id": family_id, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )
        return int(result.modified_count)

    async def revoke_user(self, user_id: str, at: datetime) -> int:
        result = await self._collection.update_many(
            {"user_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )
        return int(result.modified_count)


@translates_outages
class MongoApiTokenRepository:
    def __init__(self) -> None:
        self._collection = ApiTokenDocument.get_pymongo_collection()

    async def create(self, record: ApiTokenRecord) -> None:
        await self._collection.insert_one(_to_dict(record))

    async def get(self, token_id: str) -> ApiTokenRecord | None:
        raw = await self._collection.find_one({"_id": token_id})
        return _api_from(raw) if raw else None

    async def of_user(self, user_id: str) -> list[ApiTokenRecord]:
        cursor = self._collection.find({"user_id": user_id, "revoked_at": None}).sort(
            "created_at", pymongo.ASCENDING
        )
        return [_api_from(raw) async for raw in cursor]

    async def revoke(self, token_id: str, user_id: str, at: datetime) -> bool:
        result = await self._collection.update_one(
            {"_id": token_id, "user_id": user_id, "revoked_at": None},
            {"$set": {"revoked_at": at}},
        )
        return bool(result.modified_count)

    async def touch(self, token_id: str, at: datetime) -> None:
        await self._collection.update_one({"_id": token_id}, {"$set": {"last_used_at": at}})
