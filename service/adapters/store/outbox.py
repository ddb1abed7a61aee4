"""The outbox: the flag a status write sets on its execution, and the deliveries collection.

A status write that tells something (RUNNING, or any terminal status) sets `outbox_pending`
in its own `update_one` (`outbox_columns`, called from
:mod:`service.adapters.store.transitions`): the store writes the status and the flag as one
journaled document write, so no crash can come between a terminal status and the record that
it is to be told. The deliveries are then recorded from the flagged executions
(:mod:`service.services.webhooks.draining`) in their own collection, with ids that make a
repeated round a no-op (the unique `_id`).

A start and an end are two flags (two writes) on one execution, and the record read at
the end shows the start too. Which events have their deliveries recorded is kept beside the
flag (`outbox_recorded`, set when a round settles), so the round at the end records only
the end: the start is enqueued once, even when its delivery was removed meanwhile
(retention) and its id no longer stops a second one.

The flag and that list are columns of the store only: they say nothing about the execution
itself.
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
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition
from service.domain.webhooks import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookEventType,
    events_after,
    events_before,
)
from service.services.ports.store import Page
from service.services.ports.webhooks import FlaggedExecution

OUTBOX_FLAG = "outbox_pending"
OUTBOX_RECORDED = "outbox_recorded"
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

    async def flagged(self, limit: int) -> list[FlaggedExecution]:
        cursor = self._collection.find({OUTBOX_FLAG: True}).limit(limit)
        return [_flagged(raw) async for raw in cursor]

    async def settle(self, settled: Sequence[FlaggedExecution]) -> None:
        if not settled:
            return
        writes: list[UpdateOne] = []
        for entry in settled:
            execution = entry.execution
            if entry.recorded:
                # Whatever was written since: these are recorded. Added, never replaced, so
                # a round that read the record earlier cannot drop what a later one kept.
                values = sorted(e.value for e in entry.recorded)
                writes.append(
                    UpdateOne(
                        {"_id": execution.id},
                        {"$addToSet": {OUTBOX_RECORDED: {"$each": values}}},
                    )
                )
            # `last_seq` moves with every status write: one written since stays flagged.
            writes.append(
                UpdateOne(
                    {"_id": execution.id, "last_seq": execution.last_seq, OUTBOX_FLAG: True},
                    {"$unset": {OUTBOX_FLAG: ""}},
                )
            )
        # In order: an execution's flag is cleared only after what it recorded is kept.
        await self._collection.bulk_write(writes, ordered=True)


def _flagged(raw: dict[str, Any]) -> FlaggedExecution:
    recorded = frozenset(WebhookEventType(v) for v in raw.get(OUTBOX_RECORDED) or ())
    return FlaggedExecution(execution_from_dict(raw), recorded)


def _delivery(raw: dict[str, Any]) -> Delivery:
    return record_from_dict(Delivery, raw)


def _same_target(delivery: Delivery) -> dict[str, Any]:
    """Deliveries about the same execution to the same target (`webhook_id` None: its
    callback). Bare equalities, which the `execution_target` index serves."""
    return {"execution_id": delivery.execution_id, "webhook_id": delivery.webhook_id}


@translates_outages
class MongoDeliveryRepository:
    def __init__(self) -> None:
        self._collection = WebhookDeliveryDocument.get_pymongo_collection()

    async def add_many(self, deliveries: Sequence[Delivery]) -> int:
        # In the order given (an execution's start before its end: a deliverer that finds
        # the end finds the start it waits for), past the ids already recorded (a round
        # repeated after a crash, or run by two processes at once).
        documents = [record_to_dict(d) for d in deliveries]
        added = 0
        while documents:
            try:
                result = await self._collection.insert_many(documents, ordered=True)
            except BulkWriteError as error:
                errors = error.details.get("writeErrors", [])
                if not errors or any(e.get("code") != 11000 for e in errors):
                    raise
                added += int(error.details.get("nInserted", 0))
                documents = documents[int(errors[0]["index"]) + 1 :]
                continue
            return added + len(result.inserted_ids)
        return added

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

    async def pending_before(self, delivery: Delivery) -> Delivery | None:
        earlier = events_before(delivery.event_type)
        if not earlier:
            return None
        raw = await self._collection.find_one(
            {
                **_same_target(delivery),
                "status": DeliveryStatus.PENDING.value,
                "event_type": {"$in": [e.value for e in earlier]},
            }
        )
        return _delivery(raw) if raw else None

    async def defer(self, delivery: Delivery, until: datetime) -> bool:
        # A compare-and-set like `claim`: a release or a claim since it was read wins.
        result = await self._collection.update_one(
            {
                "_id": delivery.id,
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": delivery.next_attempt_at,
                "lease_owner": None,
            },
            {"$set": {"next_attempt_at": until}},
        )
        return result.modified_count == 1

    async def release_after(self, delivery: Delivery, now: datetime) -> int:
        later = events_after(delivery.event_type)
        if not later:
            return 0
        result = await self._collection.update_many(
            {
                **_same_target(delivery),
                "status": DeliveryStatus.PENDING.value,
                "lease_owner": None,
                "event_type": {"$in": [e.value for e in later]},
            },
            {"$set": {"next_attempt_at": now}},
        )
        return int(result.modified_count)

    async def retarget(self, webhook_id: str, url: str) -> int:
        result = await self._collection.update_many(
            {"webhook_id": webhook_id, "status": DeliveryStatus.PENDING.value},
            {"$set": {"url": url}},
        )
        return int(result.modified_count)

    async def record(
        self,
        delivery: Delivery,
        owner: str,
        lease_until: datetime,
        attempt: DeliveryAttempt,
        *,
        url: str,
        status: DeliveryStatus,
        next_attempt_at: datetime,
    ) -> bool:
        columns: dict[str, Any] = {
            "url": url,
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
