"""`CreateWebhookInput` and `UpdateWebhookInput`: a webhook's fields as asked."""

from __future__ import annotations

import strawberry

# The domain's enum, which `types.webhooks` registers as the GraphQL `WebhookEventType`.
from service.domain.webhooks import WebhookEventType
from service.services.webhooks.managing import UNSET, WebhookDraft


@strawberry.input
class CreateWebhookInput:
    url: str = strawberry.field(description="http(s) URL the events are POSTed to.")
    events: list[WebhookEventType]
    description: str | None = None
    all_executions: bool | None = strawberry.field(
        default=False, description="Every user's executions (admins only)."
    )

    def to_domain(self) -> WebhookDraft:
        return WebhookDraft(
            url=self.url,
            events=list(self.events),
            description=self.description,
            all_executions=self.all_executions,
        )


@strawberry.input
class UpdateWebhookInput:
    url: str | None = None
    events: list[WebhookEventType] | None = None
    description: str | None = None
    all_executions: bool | None = None
    enabled: bool | None = None

    def to_domain(self) -> WebhookDraft:
        return WebhookDraft(
            url=self.url if self.url is not None else UNSET,
            events=list(self.events) if self.events is not None else UNSET,
            description=self.description if self.description is not None else UNSET,
            all_executions=self.all_executions if self.all_executions is not None else UNSET,
            enabled=self.enabled if self.enabled is not None else UNSET,
        )
