"""Delivering: each due delivery leased, signed, sent once, and its attempt kept.

Any process may deliver (API or worker): a delivery is leased in the store before it is
sent (`DeliveryRepository.claim`, a compare-and-set on its next attempt time), so two
processes never send it at once; a process that dies mid-attempt leaves a lease that ends,
and another sends it again (at least once; the receiver tells repeats by `webhook-id`).
Every attempt keeps its time, latency and status code (or why there was none); failures
are retried with `RetryPolicy`'s backoff until its window ends.

One target hears of one execution in the order things happened (`EVENT_ORDER`): a delivery
due while an earlier one to the same target about the same execution is still PENDING (a
start being retried) is not sent but deferred to that one's next attempt, so it leaves the
due deliveries and holds up no one else's; when the earlier one settles (delivered, or
given up), those that waited are made due at once. Other executions, and other targets,
are never held up.

A webhook's delivery goes to the webhook as it is at the attempt: its URL now (a delivery
recorded before `updateWebhook` changed it follows it) and its secrets now.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from service.domain.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, RetryPolicy
from service.services.clock import utcnow
from service.services.ports.store import ExecutionRepository
from service.services.ports.webhooks import (
    DeliveryMetrics,
    DeliveryRepository,
    Message,
    WebhookRepository,
    WebhookSender,
)

log = logging.getLogger(__name__)

# A lease outlasts the attempt's own timeout by this much (the store's round trips).
_LEASE_MARGIN_SECONDS = 30.0
REFUSED_PREFIX = "refused: "
# The store keeps times to the millisecond.
_JUST_AFTER = timedelta(milliseconds=1)


class Deliverer:
    def __init__(
        self,
        *,
        deliveries: DeliveryRepository,
        webhooks: WebhookRepository,
        executions: ExecutionRepository,
        sender: WebhookSender,
        retry: RetryPolicy,
        owner: str,
        metrics: DeliveryMetrics | None = None,
        concurrency: int = 8,
        batch: int = 100,
        spread: Callable[[], float] = random.random,
    ) -> None:
        self._deliveries = deliveries
        self._webhooks = webhooks
        self._executions = executions
        self._sender = sender
        self._retry = retry
        # Who holds a lease: this process.
        self._owner = owner
        self._metrics = metrics
        self._slots = asyncio.Semaphore(concurrency)
        self._batch = batch
        self._spread = spread

    async def deliver_due(self) -> int:
        """Send every delivery due now (at most one batch); how many were attempted here."""
        due = await self._deliveries.due(utcnow(), self._batch)
        results = await asyncio.gather(*(self._deliver(d) for d in due))
        return sum(results)

    async def _deliver(self, delivery: Delivery) -> bool:
        async with self._slots:
            if await self._waits(delivery):
                return False
            start = utcnow()
            lease_until = start + timedelta(
                seconds=self._retry.attempt_timeout_seconds + _LEASE_MARGIN_SECONDS
            )
            if not await self._deliveries.claim(delivery, self._owner, lease_until):
                return False  # another process has it, or it changed since it was read
            url, secrets = await self._target_of(delivery)
            if not secrets:
                attempt = DeliveryAttempt(start, 0.0, error="its webhook no longer exists")
            else:
                attempt = await self._sender.send(
                    Message(url, delivery.id, delivery.payload, secrets),
                    self._retry.attempt_timeout_seconds,
                )
            now = utcnow()
            if attempt.succeeded:
                status, next_at = DeliveryStatus.SUCCEEDED, now
            else:
                failures = delivery.failures_since_redelivery + 1
                next_at = now + timedelta(seconds=self._retry.delay(failures, self._spread()))
                gone = not secrets
                status = (
                    DeliveryStatus.FAILED
                    if gone or next_at > delivery.give_up_at
                    else DeliveryStatus.PENDING
                )
            kept = await self._deliveries.record(
                delivery,
                self._owner,
                lease_until,
                attempt,
                url=url,
                status=status,
                next_attempt_at=next_at,
            )
            if not kept:
                log.info("delivery %s changed during its attempt; result not kept", delivery.id)
            elif status is not DeliveryStatus.PENDING:
                await self._deliveries.release_after(delivery, utcnow())
            self._observe(attempt, status)
            return True

    async def _waits(self, delivery: Delivery) -> bool:
        """Whether an earlier event to the same target is still to be told; if so, this
        one is deferred to when that one is tried next (or sooner: see `release_after`)."""
        earlier = await self._deliveries.pending_before(delivery)
        if earlier is None:
            return False
        # Just after it, so that the due ones, oldest first, come to that one before this.
        await self._deliveries.defer(delivery, earlier.next_attempt_at + _JUST_AFTER)
        return True

    async def _target_of(self, delivery: Delivery) -> tuple[str, tuple[str, ...]]:
        """Where it goes and the secrets that sign it; no secrets: its target is gone."""
        if delivery.webhook_id is None:
            execution = await self._executions.get(delivery.execution_id)
            secret = execution.callback_secret if execution is not None else None
            return delivery.url, ((secret,) if secret else ())
        webhook = await self._webhooks.get(delivery.webhook_id)
        if webhook is None:
            return delivery.url, ()
        return webhook.url, webhook.signing_secrets(utcnow())

    def _observe(self, attempt: DeliveryAttempt, status: DeliveryStatus) -> None:
        if self._metrics is None:
            return
        if attempt.succeeded:
            outcome = "succeeded"
        elif attempt.status_code is not None:
            outcome = "failed"
        elif attempt.error and attempt.error.startswith(REFUSED_PREFIX):
            outcome = "refused"
        else:
            outcome = "error"
        self._metrics.attempted(outcome, attempt.latency_ms / 1000)
        if status is DeliveryStatus.FAILED:
            self._metrics.gave_up()
