"""The users collection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.errors import DuplicateKeyError

from service.adapters.store.account_documents import UserDocument
from service.adapters.store.mapping import fields_to_dict, record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.adapters.store.paging import keyset_page
from service.domain.accounts import QuotaOverrides, Role, User
from service.services.ports.store import Page


def user_to_dict(user: User) -> dict[str, Any]:
    return record_to_dict(user)


def user_from_dict(raw: Mapping[str, Any]) -> User:
    return record_from_dict(User, raw)


@translates_outages
class MongoUserRepository:
    """UserRepository over the `users` collection."""

    def __init__(self) -> None:
        self._collection = UserDocument.get_pymongo_collection()

    async def create(self, user: User) -> User | None:
        try:
            await self._collection.insert_one(user_to_dict(user))
        except DuplicateKeyError:
            return None
        return user

    async def get(self, user_id: str) -> User | None:
        raw = await self._collection.find_one({"_id": user_id})
        return user_from_dict(raw) if raw else None

    async def get_by_username(self, username: str) -> User | None:
        raw = await self._collection.find_one({"username": username})
        return user_from_dict(raw) if raw else None

    async def count(self) -> int:
        return await self._collection.count_documents({})

    async def set_role(self, user_id: str, role: Role) -> User | None:
        return await self._set(user_id, fields_to_dict(User, {"role": role}))

    async def set_quotas(self, user_id: str, quotas: QuotaOverrides) -> User | None:
        return await self._set(user_id, fields_to_dict(User, {"quotas": quotas}))

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._set(user_id, fields_to_dict(User, {"password_hash": password_hash}))

    async def page(self, *, first: int, after: str | None) -> Page[User]:
        return await keyset_page(
            self._collection,
            {},
            first=first,
            after=after,
            newest_first=False,
            item_from=user_from_dict,
        )

    async def _set(self, user_id: str, fields: dict[str, Any]) -> User | None:
        # `update_one`, not findAndModify, which SecantusDB serves with a collection scan.
        result = await self._collection.update_one({"_id": user_id}, {"$set": fields})
        if result.matched_count != 1:
            return None
        raw = await self._collection.find_one({"_id": user_id})
        return user_from_dict(raw) if raw else None
