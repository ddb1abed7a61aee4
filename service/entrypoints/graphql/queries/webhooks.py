"""Queries on webhooks: the caller's (an admin: everyone's), and one's deliveries
(:mod:`service.services.webhooks.managing`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.permissions import Authenticated
from service.entrypoints.graphql.problems import graphql_error
from service.entrypoints.graphql.queries.paging import check_first, checked_cursor
from service.entrypoints.graphql.types.connections import WebhookDeliveryConnection
from service.entrypoints.graphql.types.page_info import PageInfo
from service.entrypoints.graphql.types.webhooks import DeliveryType, WebhookType
from service.services.problems import AuthProblem, NotFound
from service.services.webhooks.managing import MAX_PAGE_SIZE


@strawberry.type
class WebhookQueryMixin:
    @strawberry.field(
        description="The caller's webhooks, oldest first (an admin's: everyone's).",
        extensions=[Authenticated()],
    )
    async def webhooks(self, info: Info[Context, None], principal: Principal) -> list[WebhookType]:
        assert info.context.use_cases.webhooks is not None
        found = await info.context.use_cases.webhooks.of(principal)
        if isinstance(found, AuthProblem):
            raise graphql_error(found)
        return [WebhookType.from_domain(w) for w in found]

    @strawberry.field(
        description=f"A webhook's deliveries, newest first (at most {MAX_PAGE_SIZE} a page); "
        "empty when the webhook is not the caller's.",
        extensions=[Authenticated()],
    )
    async def webhook_deliveries(
        self,
        info: Info[Context, None],
        principal: Principal,
        webhook_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> WebhookDeliveryConnection:
        check_first(first, MAX_PAGE_SIZE)
        assert info.context.use_cases.webhooks is not None
        with checked_cursor():
            page = await info.context.use_cases.webhooks.deliveries(
                principal, str(webhook_id), first=first, after=after
            )
        if isinstance(page, AuthProblem):
            raise graphql_error(page)
        if isinstance(page, NotFound):
            return WebhookDeliveryConnection(
                edges=[],
                page_info=PageInfo(
                    has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
                ),
            )
        return WebhookDeliveryConnection.of(page, DeliveryType.from_domain)
