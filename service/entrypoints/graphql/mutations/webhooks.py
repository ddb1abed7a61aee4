"""Mutations on webhooks: create, update, rotate the secret, delete, redeliver
(:mod:`service.services.webhooks.managing`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.webhook_input import (
    CreateWebhookInput,
    UpdateWebhookInput,
)
from service.entrypoints.graphql.permissions import Authenticated, answer, as_auth_error
from service.entrypoints.graphql.problems import DELIVERY_ERRORS, PROBLEMS, WEBHOOK_ERRORS
from service.entrypoints.graphql.types.payloads import (
    CreateWebhookPayload,
    RedeliverWebhookPayload,
    RotateWebhookSecretPayload,
    UpdateWebhookPayload,
)
from service.entrypoints.graphql.types.webhooks import DeliveryType, WebhookSecret, WebhookType
from service.services.webhooks.managing import Webhooks, WebhookWithSecret


def _webhooks(info: Info[Context, None]) -> Webhooks:
    webhooks = info.context.use_cases.webhooks
    assert webhooks is not None, "webhooks are wired in every process"
    return webhooks


def _with_secret(result: WebhookWithSecret) -> WebhookSecret:
    return WebhookSecret(webhook=WebhookType.from_domain(result.webhook), secret=result.secret)


@strawberry.type
class WebhookMutationMixin:
    @strawberry.mutation(
        description="Subscribe a URL to executions' events (logged-in users; the secret is "
        "answered this once).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def create_webhook(
        self, info: Info[Context, None], principal: Principal, input: CreateWebhookInput
    ) -> CreateWebhookPayload:
        result = await _webhooks(info).create(principal, input.to_domain())
        if isinstance(result, PROBLEMS):
            return WEBHOOK_ERRORS(result)
        return _with_secret(result)

    @strawberry.mutation(
        description="Change a webhook; omitted fields stay.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def update_webhook(
        self,
        info: Info[Context, None],
        principal: Principal,
        id: strawberry.ID,
        input: UpdateWebhookInput,
    ) -> UpdateWebhookPayload:
        result = await _webhooks(info).update(principal, str(id), input.to_domain())
        if isinstance(result, PROBLEMS):
            return WEBHOOK_ERRORS(result)
        return WebhookType.from_domain(result)

    @strawberry.mutation(
        description="A new signing secret (answered this once); the previous one keeps "
        "signing too for a grace period (`previousSecretUntil`).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def rotate_webhook_secret(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> RotateWebhookSecretPayload:
        result = await _webhooks(info).rotate_secret(principal, str(id))
        if isinstance(result, PROBLEMS):
            return WEBHOOK_ERRORS(result)
        return _with_secret(result)

    @strawberry.mutation(
        description="Delete a webhook; false when there was none to delete. Its pending "
        "deliveries fail.",
        extensions=[Authenticated(refused=answer(False))],
    )
    async def delete_webhook(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> bool:
        return await _webhooks(info).delete(principal, str(id)) is True

    @strawberry.mutation(
        description="Send a delivery again, now, with the same `webhook-id` and a fresh "
        "retry window.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def redeliver_webhook(
        self, info: Info[Context, None], principal: Principal, delivery_id: strawberry.ID
    ) -> RedeliverWebhookPayload:
        result = await _webhooks(info).redeliver(principal, str(delivery_id))
        if isinstance(result, PROBLEMS):
            return DELIVERY_ERRORS(result)
        return DeliveryType.from_domain(result)
