"""Wiring of webhooks: the management use cases and the relay every process runs.

Every process (API, worker, both) drains the outbox and delivers: any of them may, and the
store's leases keep two from sending one delivery at once
(:mod:`service.services.webhooks.delivering`).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters.store.outbox import MongoDeliveryRepository, MongoOutbox
from service.adapters.store.webhooks import MongoWebhookRepository
from service.adapters.webhooks.guard import AddressPolicy, GuardedNetwork
from service.adapters.webhooks.sending import HttpWebhookSender
from service.domain.webhooks import RetryPolicy
from service.services.ports.store import ExecutionRepository
from service.services.ports.webhooks import DeliveryMetrics
from service.services.webhooks.delivering import Deliverer
from service.services.webhooks.draining import OutboxDrainer
from service.services.webhooks.managing import WebhookLimits, Webhooks
from service.services.webhooks.pruning import DeliveryPruner
from service.services.webhooks.relaying import WebhookRelay
from service.settings import Settings


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        first_delay_seconds=settings.webhook_retry_first_delay_seconds,
        max_delay_seconds=settings.webhook_retry_max_delay_seconds,
        give_up_after_seconds=settings.webhook_retry_for_seconds,
        jitter=settings.webhook_retry_jitter,
        attempt_timeout_seconds=settings.webhook_attempt_timeout_seconds,
    )


@dataclass
class WebhookParts:
    webhooks: Webhooks
    relay: WebhookRelay
    sender: HttpWebhookSender

    async def stop(self) -> None:
        await self.relay.stop()
        await self.sender.close()


def build_webhooks(
    settings: Settings,
    *,
    executions: ExecutionRepository,
    metrics: DeliveryMetrics,
    process_id: str,
) -> WebhookParts:
    retry = retry_policy(settings)
    hooks = MongoWebhookRepository()
    deliveries = MongoDeliveryRepository()
    sender = HttpWebhookSender(
        GuardedNetwork(AddressPolicy(settings.webhook_allow_hosts)),
        max_response_bytes=settings.webhook_max_response_bytes,
    )
    relay = WebhookRelay(
        drainer=OutboxDrainer(
            outbox=MongoOutbox(), webhooks=hooks, deliveries=deliveries, retry=retry
        ),
        deliverer=Deliverer(
            deliveries=deliveries,
            webhooks=hooks,
            executions=executions,
            sender=sender,
            retry=retry,
            owner=process_id,
            metrics=metrics,
        ),
        poll_seconds=settings.webhook_poll_seconds,
        pruner=DeliveryPruner(
            deliveries=deliveries,
            keep_for_seconds=settings.webhook_keep_deliveries_for_seconds,
            every_seconds=settings.webhook_prune_every_seconds,
        ),
    )
    webhooks = Webhooks(
        webhooks=hooks,
        deliveries=deliveries,
        retry=retry,
        limits=WebhookLimits(
            max_per_user=settings.webhook_max_per_user,
            secret_grace_seconds=settings.webhook_secret_grace_seconds,
        ),
    )
    return WebhookParts(webhooks=webhooks, relay=relay, sender=sender)
