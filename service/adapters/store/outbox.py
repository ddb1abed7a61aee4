"""The outbox: the flag a status write sets on its execution, and the deliveries collection.

A status write that tells something (RUNNING, or any terminal status) sets `outbox_pending`
in its own `update_one` (`outbox_columns`, called from
:mod:`service.adapters.store.transitions`): the store writes the status and the flag as one
journaled document write, so no crash can come between a terminal status and the record that
it is to be told. The deliveries are then recorded from the flagged executions
(:mod:`service.services.webhooks.draining`) in their own collection, with ids that make a
repeated round a no-op (the unique `_id`).

The flag is a column of the store only: it says nothing about the execution itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pymongo
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from service.adapters.store.documents import ExecutionDocument
from service.adapters.store.mapping import execution_from_dict, record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.adapters.store.paging import keyset_page
from service.adapters.store.webhook_documents import WebhookDeliveryDocument
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition
from service.domain.webhooks import Delivery, DeliveryAttempt, DeliveryStatus
from service.services.ports.store import Page

OUTBOX_FLAG = "outbox_pending"
SETTLED_AT = "settled_at"


def outbox_columns(transition: Transition) -> dict[str, Any]:
    """The flag, when this write makes something to tell (it starts or ends a run)."""
    tells = transition.target.is_terminal or ExecutionStatus.RUNNING in (
        transition.target,
        transition.via,
    )
    return {OUTBOX_FLAG: True} if tells else {}


@translates_outages
class MongoOutbox:
    def __init__(self) -> None:
        self._collection = ExecutionDocument.get_pymongo_collection()

    async def flagged(self, limit: int) -> list[Execution]:
        cursor = self._collection.find({OUTBOX_FLAG: True}).limit(limit)
        return [execution_from_dict(raw) async for raw in cursor]

    async def settle(self, executions: Sequence[Execution]) -> None:
        if not executions:
            return
        # `last_seq` moves with every status write: one written since stays flagged.
        await self._collection.bulk_write(
            [
                UpdateOne(
                    {"_id": e.id, "last_seq": e.last_seq, OUTBOX_FLAG: True},
                    {"$unset": {OUTBOX_FLAG: ""}},
                )
                for e in executions
            ],
            ordered=False,
        )


def _delivery(raw: dict[str, Any]) -> Delivery:
    return record_from_dict(Delivery, raw)


@translates_outages
class MongoDeliveryRepository:
    def __init__(self) -> None:
        self._collection = WebhookDeliveryDocument.get_pymongo_collection()

    async def add_many(self, deliveries: Sequence[Delivery]) -> int:
        if not deliveries:
            return 0
        try:
            result = await self._collection.insert_many(
                [record_to_dict(d) for d in deliveries], ordered=False
            )
        except BulkWriteError as error:  # the ids already recorded (a repeated round)
            if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                raise
            return int(error.details.get("nInserted", 0))
        return len(result.inserted_ids)

    async def get(self, delivery_id: str) -> Delivery | None:
        raw = await self._collection.find_one({"_id": delivery_id})
        return _delivery(raw) if raw else None

    async def page(self, webhook_id: str, *, first: int, after: str | None) -> Page[Delivery]:
        return await keyset_page(
            self._collection,
            {"webhook_id": webhook_id},
            first=first,
            after=after,
            newest_first=True,
            item_from=_delivery,
        )

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        cursor = (
            self._collection.find(
                {"status": DeliveryStatus.PENDING.value, "next_attempt_at": {"$lte": now}}
            )
            .sort("next_attempt_at", pymongo.ASCENDING)
            .limit(limit)
        )
        return [_delivery(raw) async for raw in cursor]

    async def claim(self, delivery: Delivery, owner: str, until: datetime) -> bool:
        # A compare-and-set on the time it was due: a lease moves that time to the lease's
        # end, so a delivery under way is not due again until its lease lapses.
        result = await self._collection.update_one(
            {
                "_id": delivery.id,
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": delivery.next_attempt_at,
            },
            {"$set": {"next_attempt_at": until, "lease_owner": owner}},
        )
        return result.modified_count == 1

    async def record(
        self,
        delivery: Delivery,
        owner: str,
        lease_until: datetime,
        attempt: DeliveryAttempt,
        *,
        status: DeliveryStatus,
        next_attempt_at: datetime,
    ) -> bool:
        columns: dict[str, Any] = {
            "status": status.value,
            "next_attempt_at": next_attempt_at,
            "lease_owner": None,
        }
        if attempt.succeeded:
            columns["delivered_at"] = attempt.at
        if status is not DeliveryStatus.PENDING:
            # When it stopped mattering: what retention counts from (a store-only column).
            columns[SETTLED_AT] = attempt.at
        result = await self._collection.update_one(
            {"_id": delivery.id, "lease_owner": owner, "next_attempt_at": lease_until},
            {"$set": columns, "$push": {"attempts": record_to_dict(attempt)}},
        )
        return result.modified_count == 1

    async def redeliver(self, delivery_id: str, now: datetime, give_up_at: datetime) -> bool:
        raw = await self._collection.find_one({"_id": delivery_id}, {"attempts": 1})
        if raw is None:
            return False
        result = await self._collection.update_one(
            {"_id": delivery_id},
            {
                "$set": {
                    "status": DeliveryStatus.PENDING.value,
                    "next_attempt_at": now,
                    "give_up_at": give_up_at,
                    "retry_from": len(raw.get("attempts") or []),
                    "lease_owner": None,
                },
                "$unset": {SETTLED_AT: ""},
            },
        )
        return result.matched_count == 1

    async def remove_settled_before(self, cutoff: datetime) -> int:
        result = await self._collection.delete_many(
            {
                "status": {"$in": [DeliveryStatus.SUCCEEDED.value, DeliveryStatus.FAILED.value]},
                SETTLED_AT: {"$lt": cutoff},
            }
        )
        return int(result.deleted_count)
