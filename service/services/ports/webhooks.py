"""What the webhook use cases need: their records in the store, the outbox, and a sender.

The outbox holds no records of its own until a status write flags an execution: the write
of a status and the flag are one write (:mod:`service.adapters.store.outbox`), so a crash
right after a terminal status cannot lose what is to be told about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from service.domain.executions import Execution
from service.domain.webhooks import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Webhook,
    WebhookEventType,
)
from service.services.ports.store import Page


class WebhookRepository(Protocol):
    async def create(self, webhook: Webhook) -> Webhook: ...

    async def get(self, webhook_id: str) -> Webhook | None: ...

    async def update(self, webhook_id: str, fields: Mapping[str, Any]) -> Webhook | None:
        """Set these fields (by field name, domain values); None when there is none."""
        ...

    async def delete(self, webhook_id: str) -> bool: ...

    async def of_owner(self, owner_id: str | None) -> list[Webhook]:
        """Oldest first; `owner_id` None: everyone's."""
        ...

    async def count_of_owner(self, owner_id: str) -> int: ...

    async def enabled(self) -> list[Webhook]:
        """Every enabled webhook (what an outbox round matches executions against)."""
        ...


@dataclass(frozen=True, slots=True)
class FlaggedExecution:
    """An execution as the outbox holds it: the record, and the events whose deliveries
    are recorded already (by earlier rounds when read; by this round too when settled)."""

    execution: Execution
    recorded: frozenset[WebhookEventType] = frozenset()


class Outbox(Protocol):
    async def flagged(self, limit: int) -> list[FlaggedExecution]:
        """Executions whose status write flagged them (what they show is yet to be told)."""
        ...

    async def settle(self, settled: Sequence[FlaggedExecution]) -> None:
        """Keep that each one's `recorded` events are recorded (for good: a later round
        records them never again), then clear the flag of each one still as read (one
        written since, at another `last_seq`, stays flagged for the next round)."""
        ...


class DeliveryRepository(Protocol):
    async def add_many(self, deliveries: Sequence[Delivery]) -> int:
        """Insert; a delivery whose id exists is skipped. The number inserted."""
        ...

    async def get(self, delivery_id: str) -> Delivery | None: ...

    async def page(self, webhook_id: str, *, first: int, after: str | None) -> Page[Delivery]:
        """Newest first; raises InvalidCursor for a cursor it did not issue."""
        ...

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        """PENDING deliveries whose next attempt (or expired lease) is at or before `now`."""
        ...

    async def claim(self, delivery: Delivery, owner: str, until: datetime) -> bool:
        """Lease `delivery` for one attempt, if no one else did since it was read."""
        ...

    async def pending_before(self, delivery: Delivery) -> Delivery | None:
        """A PENDING delivery to the same target about the same execution, of an event
        before this one's (`events_before`), or None."""
        ...

    async def defer(self, delivery: Delivery, until: datetime) -> bool:
        """Make `delivery` due at `until` instead, if it is still as read and not leased."""
        ...

    async def release_after(self, delivery: Delivery, now: datetime) -> int:
        """Make due now the PENDING, unleased deliveries that waited for this one (same
        target and execution, later events); how many."""
        ...

    async def retarget(self, webhook_id: str, url: str) -> int:
        """Set the URL of the webhook's PENDING deliveries; how many."""
        ...

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
        """Keep an attempt (made to `url`) and what follows it, if the lease is still this
        owner's."""
        ...

    async def redeliver(self, delivery_id: str, now: datetime, give_up_at: datetime) -> bool:
        """PENDING again, due now, with a fresh retry window; attempts are kept."""
        ...

    async def remove_settled_before(self, cutoff: datetime) -> int:
        """Remove SUCCEEDED and FAILED deliveries settled before `cutoff`; how many."""
        ...


@dataclass(frozen=True, slots=True)
class Message:
    """One signed POST: the Standard Webhooks id, the body and the secrets that sign it."""

    url: str
    id: str
    payload: str
    secrets: tuple[str, ...]


class WebhookSender(Protocol):
    async def send(self, message: Message, timeout_seconds: float) -> DeliveryAttempt:
        """One attempt, never raising: its status code, or why there was none."""
        ...


class DeliveryMetrics(Protocol):
    def attempted(self, outcome: str, seconds: float) -> None:
        """`outcome`: succeeded, failed (a non-2xx answer), error (no answer), refused."""
        ...

    def gave_up(self) -> None: ...
