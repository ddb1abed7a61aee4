"""`Subscription`: the schema's subscription root, one mixin per domain."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.subscriptions.executions import ExecutionSubscriptionMixin


@strawberry.type
class Subscription(ExecutionSubscriptionMixin):
    pass
