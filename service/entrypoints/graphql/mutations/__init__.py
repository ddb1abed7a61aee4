"""`Mutation`: the schema's mutation root, one mixin per domain (fields appear in the
schema in the order of the bases)."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.mutations.admin import AdminMutationMixin
from service.entrypoints.graphql.mutations.auth import AuthMutationMixin
from service.entrypoints.graphql.mutations.batches import BatchMutationMixin
from service.entrypoints.graphql.mutations.executions import ExecutionMutationMixin
from service.entrypoints.graphql.mutations.scripts import ScriptMutationMixin
from service.entrypoints.graphql.mutations.test_cases import TestCaseMutationMixin
from service.entrypoints.graphql.mutations.webhooks import WebhookMutationMixin
from service.entrypoints.graphql.mutations.workspaces import WorkspaceMutationMixin


@strawberry.type
class Mutation(
    ExecutionMutationMixin,
    BatchMutationMixin,
    TestCaseMutationMixin,
    AuthMutationMixin,
    AdminMutationMixin,
    ScriptMutationMixin,
    WebhookMutationMixin,
    WorkspaceMutationMixin,
):
    pass
