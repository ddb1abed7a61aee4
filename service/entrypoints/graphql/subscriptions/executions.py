"""Subscriptions on executions: the events of one, stored ones first, then live ones.

The stream is :mod:`service.services.executions.subscribing`; an open socket ends with its
token (:mod:`service.entrypoints.http.socket_tokens`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from service.domain.accounts import Principal
from service.domain.events import ExecutionEvent
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.fanout import shared_payload
from service.entrypoints.graphql.permissions import Authenticated
from service.entrypoints.graphql.types.events import ExecutionEventType, event_from_domain


@strawberry.type
class ExecutionSubscriptionMixin:
    @strawberry.subscription(
        description="Events of one execution with seq > afterSeq: the stored ones first, then "
        "live ones, without gap or duplicate; completes after the terminal status event.",
        extensions=[Authenticated()],
    )
    async def execution_events(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID, after_seq: int = 0
    ) -> AsyncGenerator[ExecutionEventType, None]:
        use_cases = info.context.use_cases
        if after_seq < 0:
            raise GraphQLError("afterSeq must be 0 or more")
        # Not visible reads exactly like unknown: ids cannot be probed. (From memory when
        # the execution was submitted in this process: no store read.)
        execution = await use_cases.streamer.visible(str(id), principal)
        if execution is None:
            raise GraphQLError(f"no execution with id {str(id)!r}")
        gauge = info.context.metrics.open_subscriptions
        gauge.inc()
        try:
            async for event in use_cases.streamer.stream(
                str(id), after_seq, principal=principal, execution=execution
            ):
                yield shared_payload(event.execution_id, event.seq, partial(_payload, event))
        finally:
            gauge.dec()


def _payload(event: ExecutionEvent) -> ExecutionEventType:
    payload = event_from_domain(event)
    # Marks the object as one every stream of this event shares (see `fanout`).
    payload._podrun_shared = True  # type: ignore[union-attr]
    return payload
