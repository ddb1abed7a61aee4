"""`Query`: the schema's query root, one mixin per domain (fields appear in the schema in
the order of the bases)."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.queries.auth import AuthQueryMixin
from service.entrypoints.graphql.queries.executions import ExecutionQueryMixin
from service.entrypoints.graphql.queries.scripts import ScriptQueryMixin
from service.entrypoints.graphql.queries.webhooks import WebhookQueryMixin
from service.entrypoints.graphql.queries.workspaces import WorkspaceQueryMixin


@strawberry.type
class Query(
    ExecutionQueryMixin, AuthQueryMixin, ScriptQueryMixin, WebhookQueryMixin, WorkspaceQueryMixin
):
    pass
