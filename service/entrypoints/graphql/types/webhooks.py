"""`Webhook`, `WebhookDelivery` and `WebhookDeliveryAttempt`: subscriptions to executions'
events and what was sent for them (domain records in :mod:`service.domain.webhooks`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.webhooks import Delivery, DeliveryAttempt, Webhook
from service.domain.webhooks import DeliveryStatus as DomainDeliveryStatus
from service.domain.webhooks import WebhookEventType as DomainWebhookEventType
from service.entrypoints.graphql.types.node import Node

WebhookEventType = strawberry.enum(
    DomainWebhookEventType,
    name="WebhookEventType",
    description="What a webhook is told: EXECUTION_FINISHED (any terminal status), "
    "EXECUTION_STARTED (RUNNING), EXECUTION_LIMIT_EXCEEDED (TIMED_OUT, "
    "OUTPUT_LIMIT_EXCEEDED, OOM_KILLED; besides EXECUTION_FINISHED).",
)
DeliveryStatus = strawberry.enum(
    DomainDeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING (to be sent, or retried), SUCCEEDED (a 2xx answer), FAILED (its "
    "retry window ended).",
)


@strawberry.type(name="Webhook", description="POSTs executions' events to a URL, signed.")
class WebhookType(Node):
    url: str
    events: list[WebhookEventType]  # type: ignore[valid-type]
    description: str
    all_executions: bool = strawberry.field(
        description="Every user's executions (admins only); otherwise the owner's."
    )
    enabled: bool
    owner_id: strawberry.ID
    created_at: datetime
    updated_at: datetime
    previous_secret_until: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret signs too."
    )

    @classmethod
    def from_domain(cls, webhook: Webhook) -> WebhookType:
        return cls(
            id=strawberry.ID(webhook.id),
            url=webhook.url,
            events=list(webhook.events),
            description=webhook.description,
            all_executions=webhook.all_executions,
            enabled=webhook.enabled,
            owner_id=strawberry.ID(webhook.owner_id),
            created_at=webhook.created_at,
            updated_at=webhook.updated_at,
            previous_secret_until=webhook.previous_secret_until,
        )


@strawberry.type(description="A webhook and its signing secret, shown this once.")
class WebhookSecret:
    webhook: WebhookType
    secret: str = strawberry.field(description="Standard Webhooks secret (`whsec_…`).")


@strawberry.type(name="WebhookDeliveryAttempt", description="One POST of a delivery.")
class DeliveryAttemptType:
    at: datetime
    latency_ms: float
    status_code: int | None = strawberry.field(description="The answer's; null: none came.")
    error: str | None = strawberry.field(
        description="Why the attempt failed (no answer, refused address, redirect, non-2xx)."
    )

    @classmethod
    def from_domain(cls, attempt: DeliveryAttempt) -> DeliveryAttemptType:
        return cls(
            at=attempt.at,
            latency_ms=attempt.latency_ms,
            status_code=attempt.status_code,
            error=attempt.error,
        )


@strawberry.type(
    name="WebhookDelivery",
    description="One message about one execution's event; `id` is its `webhook-id`.",
)
class DeliveryType(Node):
    webhook_id: strawberry.ID | None
    execution_id: strawberry.ID
    event_type: WebhookEventType  # type: ignore[valid-type]
    url: str
    payload: str
    status: DeliveryStatus  # type: ignore[valid-type]
    attempts: list[DeliveryAttemptType]
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None

    @classmethod
    def from_domain(cls, delivery: Delivery) -> DeliveryType:
        return cls(
            id=strawberry.ID(delivery.id),
            webhook_id=strawberry.ID(delivery.webhook_id) if delivery.webhook_id else None,
            execution_id=strawberry.ID(delivery.execution_id),
            event_type=delivery.event_type,
            url=delivery.url,
            payload=delivery.payload,
            status=delivery.status,
            attempts=[DeliveryAttemptType.from_domain(a) for a in delivery.attempts],
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at
            if delivery.status is DomainDeliveryStatus.PENDING
            else None,
            delivered_at=delivery.delivered_at,
            last_error=delivery.last_error,
        )
