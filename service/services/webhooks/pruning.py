"""Retention: deliveries that no longer matter are removed after a while.

A delivery that SUCCEEDED or was given up (FAILED) is kept, with its attempts, for
`keep_for_seconds` after it settled, so `webhookDeliveries` can show what happened and
`redeliverWebhook` can send it again; then it is removed. PENDING deliveries are never
removed here (their retry window bounds them). A redelivery unsettles one, so its age counts
again from its new end. Removal is one `delete_many` and safe in many processes at once; it
runs at most once per `every_seconds` per process, since old deliveries are no hurry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from service.services.clock import utcnow
from service.services.ports.webhooks import DeliveryRepository


class DeliveryPruner:
    def __init__(
        self,
        *,
        deliveries: DeliveryRepository,
        keep_for_seconds: float,
        every_seconds: float = 3600.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deliveries = deliveries
        self._keep_for = timedelta(seconds=keep_for_seconds)
        self._every = every_seconds
        self._monotonic = monotonic
        self._last: float | None = None

    async def prune_once(self) -> int:
        """Remove what settled longer ago than the retention; how many were removed."""
        return await self._deliveries.remove_settled_before(utcnow() - self._keep_for)

    async def prune_if_due(self) -> int:
        """`prune_once`, unless this process pruned less than `every_seconds` ago."""
        now = self._monotonic()
        if self._last is not None and now - self._last < self._every:
            return 0
        self._last = now
        return await self.prune_once()
