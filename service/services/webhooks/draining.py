"""Draining the outbox: executions flagged by their status write become deliveries.

A status write that tells something (RUNNING, any terminal status) flags its execution in
the same write (:mod:`service.adapters.store.outbox`). A round here reads the flagged
executions, records one `Delivery` per (event the record shows and no earlier round
recorded, target that wants it), keeps which events it recorded, then clears each flag,
unless the execution was written again meanwhile. So a run that starts and ends is flagged
twice but its start is enqueued once, by the round that saw it first. Delivery ids are
derived from (execution, target, event), so a round repeated after a crash (before it kept
what it recorded), or run by two processes at once, records nothing twice either. The
deliveries are sent by :mod:`service.services.webhooks.delivering`.

Targets are matched when the round that records an event runs: a webhook created a moment
after an execution ended may still be told of it, one deleted meanwhile is not, and one
created while it ran is told of its end but not of its start.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from service.domain.executions import Execution
from service.domain.webhooks import (
    Delivery,
    RetryPolicy,
    Webhook,
    WebhookEventType,
    delivery_id,
    events_of,
    payload_of,
)
from service.services.clock import utcnow
from service.services.ports.webhooks import (
    DeliveryRepository,
    FlaggedExecution,
    Outbox,
    WebhookRepository,
)

# An execution's own callback is told when it ends, once.
_CALLBACK_EVENTS = (WebhookEventType.EXECUTION_FINISHED,)


class OutboxDrainer:
    def __init__(
        self,
        *,
        outbox: Outbox,
        webhooks: WebhookRepository,
        deliveries: DeliveryRepository,
        retry: RetryPolicy,
        batch: int = 200,
    ) -> None:
        self._outbox = outbox
        self._webhooks = webhooks
        self._deliveries = deliveries
        self._retry = retry
        self._batch = batch

    async def drain_once(self) -> int:
        """One round; the number of deliveries it recorded."""
        flagged = await self._outbox.flagged(self._batch)
        if not flagged:
            return 0
        hooks = await self._webhooks.enabled()
        now = utcnow()
        deliveries: list[Delivery] = []
        settled: list[FlaggedExecution] = []
        for entry in flagged:
            new = [e for e in events_of(entry.execution) if e not in entry.recorded]
            # In event order, so that an execution's start is in the store before its end.
            deliveries.extend(self.deliveries_of(entry.execution, new, hooks, now))
            settled.append(FlaggedExecution(entry.execution, entry.recorded.union(new)))
        added = await self._deliveries.add_many(deliveries) if deliveries else 0
        await self._outbox.settle(settled)
        return added

    def deliveries_of(
        self,
        execution: Execution,
        events: list[WebhookEventType],
        hooks: list[Webhook],
        now: datetime,
    ) -> list[Delivery]:
        give_up_at = now + timedelta(seconds=self._retry.give_up_after_seconds)
        found = []
        for event in events:
            payload = payload_of(execution, event, now)
            for hook in hooks:
                if hook.covers(execution, event):
                    found.append(
                        Delivery(
                            id=delivery_id(execution.id, f"webhook:{hook.id}", event),
                            execution_id=execution.id,
                            event_type=event,
                            url=hook.url,
                            payload=payload,
                            created_at=now,
                            next_attempt_at=now,
                            give_up_at=give_up_at,
                            owner_id=hook.owner_id,
                            webhook_id=hook.id,
                        )
                    )
            if execution.callback_url and event in _CALLBACK_EVENTS:
                found.append(
                    Delivery(
                        id=delivery_id(execution.id, "callback", event),
                        execution_id=execution.id,
                        event_type=event,
                        url=execution.callback_url,
                        payload=payload,
                        created_at=now,
                        next_attempt_at=now,
                        give_up_at=give_up_at,
                        owner_id=execution.owner_id,
                    )
                )
        return found
