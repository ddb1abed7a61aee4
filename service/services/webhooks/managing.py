"""Managing webhooks: create, change, rotate, delete, list, and their deliveries.

A webhook belongs to one user, who alone (with admins) sees and changes it; only an admin's
may cover every user's executions (`all_executions`). A change of its URL applies to its
deliveries still pending too: they go to the endpoint as it is now. Its secret is answered
once, when it is created or rotated, and never again. Deliveries are made by
:mod:`service.services.webhooks.delivering`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from service.domain.accounts import Principal
from service.domain.webhooks import (
    MAX_DESCRIPTION_LENGTH,
    Delivery,
    RetryPolicy,
    Webhook,
    WebhookEventType,
    url_problem,
)
from service.services.clock import utcnow
from service.services.ports.store import Page
from service.services.ports.webhooks import DeliveryRepository, WebhookRepository
from service.services.problems import (
    AuthProblem,
    InputProblem,
    NotFound,
    forbidden,
    unauthenticated,
)
from service.services.webhooks.secrets import new_signing_secret

MAX_PAGE_SIZE = 100
UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class WebhookDraft:
    """Fields of a webhook as asked; UNSET leaves one as it is (on update)."""

    url: Any = UNSET
    events: Any = UNSET
    description: Any = UNSET
    all_executions: Any = UNSET
    enabled: Any = UNSET


@dataclass(frozen=True, slots=True)
class WebhookWithSecret:
    """A webhook just created or rotated, with the secret that is shown only now."""

    webhook: Webhook
    secret: str


@dataclass(frozen=True, slots=True)
class WebhookLimits:
    max_per_user: int = 20
    secret_grace_seconds: float = 24 * 3600.0


class Webhooks:
    """The webhook management use cases."""

    def __init__(
        self,
        *,
        webhooks: WebhookRepository,
        deliveries: DeliveryRepository,
        retry: RetryPolicy,
        limits: WebhookLimits,
    ) -> None:
        self._webhooks = webhooks
        self._deliveries = deliveries
        self._retry = retry
        self._limits = limits

    async def create(
        self, principal: Principal, draft: WebhookDraft
    ) -> WebhookWithSecret | InputProblem | AuthProblem:
        if principal.user_id is None:
            return unauthenticated()
        problem = self._check(principal, draft)
        if problem is not None:
            return problem
        if draft.url is UNSET or draft.events is UNSET:
            return InputProblem("url and events are required", "url")
        if await self._webhooks.count_of_owner(principal.user_id) >= self._limits.max_per_user:
            return InputProblem(
                f"at most {self._limits.max_per_user} webhooks per user; delete one first", None
            )
        now = utcnow()
        webhook = Webhook(
            id=uuid.uuid4().hex,
            owner_id=principal.user_id,
            url=draft.url,
            events=_unique(draft.events),
            secret=new_signing_secret(),
            created_at=now,
            updated_at=now,
            description="" if draft.description in (UNSET, None) else draft.description,
            all_executions=bool(draft.all_executions is not UNSET and draft.all_executions),
            enabled=draft.enabled in (UNSET, None) or bool(draft.enabled),
        )
        await self._webhooks.create(webhook)
        return WebhookWithSecret(webhook, webhook.secret)

    async def update(
        self, principal: Principal, webhook_id: str, draft: WebhookDraft
    ) -> Webhook | InputProblem | AuthProblem | NotFound:
        found = await self.get(principal, webhook_id)
        if isinstance(found, AuthProblem | NotFound):
            return found
        problem = self._check(principal, draft)
        if problem is not None:
            return problem
        fields: dict[str, Any] = {"updated_at": utcnow()}
        if draft.url is not UNSET and draft.url is not None:
            fields["url"] = draft.url
        if draft.events is not UNSET and draft.events is not None:
            fields["events"] = _unique(draft.events)
        if draft.description is not UNSET and draft.description is not None:
            fields["description"] = draft.description
        if draft.all_executions is not UNSET and draft.all_executions is not None:
            fields["all_executions"] = bool(draft.all_executions)
        if draft.enabled is not UNSET and draft.enabled is not None:
            fields["enabled"] = bool(draft.enabled)
        updated = await self._webhooks.update(webhook_id, fields)
        if updated is None:
            return _not_found(webhook_id)
        if "url" in fields and fields["url"] != found.url:
            # Pending deliveries go to the webhook as it is at their next attempt (see
            # `delivering`); their listing says so too.
            await self._deliveries.retarget(webhook_id, updated.url)
        return updated

    async def rotate_secret(
        self, principal: Principal, webhook_id: str
    ) -> WebhookWithSecret | AuthProblem | NotFound:
        """A new secret; the old one signs too for the grace period, then stops."""
        found = await self.get(principal, webhook_id)
        if isinstance(found, AuthProblem | NotFound):
            return found
        now = utcnow()
        secret = new_signing_secret()
        updated = await self._webhooks.update(
            webhook_id,
            {
                "secret": secret,
                "previous_secret": found.secret,
                "previous_secret_until": now + timedelta(seconds=self._limits.secret_grace_seconds),
                "updated_at": now,
            },
        )
        if updated is None:
            return _not_found(webhook_id)
        return WebhookWithSecret(updated, secret)

    async def delete(self, principal: Principal, webhook_id: str) -> bool | AuthProblem:
        found = await self.get(principal, webhook_id)
        if isinstance(found, AuthProblem):
            return found
        if isinstance(found, NotFound):
            return False
        return await self._webhooks.delete(webhook_id)

    async def get(self, principal: Principal, webhook_id: str) -> Webhook | AuthProblem | NotFound:
        if principal.user_id is None:
            return unauthenticated()
        webhook = await self._webhooks.get(webhook_id)
        if webhook is None or not _can_see(principal, webhook):
            return _not_found(webhook_id)
        return webhook

    async def of(self, principal: Principal) -> list[Webhook] | AuthProblem:
        """The caller's webhooks; an admin's view holds everyone's."""
        if principal.user_id is None:
            return unauthenticated()
        return await self._webhooks.of_owner(None if principal.is_admin else principal.user_id)

    async def deliveries(
        self, principal: Principal, webhook_id: str, *, first: int | None, after: str | None
    ) -> Page[Delivery] | AuthProblem | NotFound:
        found = await self.get(principal, webhook_id)
        if isinstance(found, AuthProblem | NotFound):
            return found
        return await self._deliveries.page(webhook_id, first=first or 20, after=after)

    async def redeliver(
        self, principal: Principal, delivery_id: str
    ) -> Delivery | AuthProblem | NotFound:
        """Send a delivery again (with the same `webhook-id`, so a receiver that saw it
        can tell), with a fresh retry window."""
        if principal.user_id is None:
            return unauthenticated()
        delivery = await self._deliveries.get(delivery_id)
        if delivery is None or not (principal.is_admin or delivery.owner_id == principal.user_id):
            return NotFound(f"no delivery {delivery_id!r}", delivery_id)
        if delivery.webhook_id is not None:
            webhook = await self._webhooks.get(delivery.webhook_id)
            if webhook is None or not _can_see(principal, webhook):
                return NotFound(f"no delivery {delivery_id!r}", delivery_id)
        now = utcnow()
        await self._deliveries.redeliver(
            delivery_id, now, now + timedelta(seconds=self._retry.give_up_after_seconds)
        )
        again = await self._deliveries.get(delivery_id)
        return again if again is not None else NotFound(f"no delivery {delivery_id!r}", delivery_id)

    def _check(
        self, principal: Principal, draft: WebhookDraft
    ) -> InputProblem | AuthProblem | None:
        if draft.url is not UNSET and draft.url is not None:
            problem = url_problem(draft.url)
            if problem is not None:
                return InputProblem(problem, "url")
        if draft.events is not UNSET and draft.events is not None and not draft.events:
            return InputProblem("name at least one event", "events")
        if (
            draft.description not in (UNSET, None)
            and len(draft.description) > MAX_DESCRIPTION_LENGTH
        ):
            return InputProblem(
                f"description is longer than {MAX_DESCRIPTION_LENGTH} characters", "description"
            )
        if draft.all_executions not in (UNSET, None, False) and not principal.is_admin:
            return forbidden()
        return None


def _can_see(principal: Principal, webhook: Webhook) -> bool:
    return principal.is_admin or webhook.owner_id == principal.user_id


def _unique(events: Any) -> tuple[WebhookEventType, ...]:
    return tuple(dict.fromkeys(WebhookEventType(e) for e in events))


def _not_found(webhook_id: str) -> NotFound:
    return NotFound(f"no webhook {webhook_id!r}", webhook_id)
