"""The payload unions of the mutations: the result, or one of the errors in
:mod:`service.entrypoints.graphql.types.errors`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from service.entrypoints.graphql.types.api_token_created import ApiTokenCreated
from service.entrypoints.graphql.types.auth_payload import AuthPayload
from service.entrypoints.graphql.types.errors import (
    AuthError,
    ExecutionNotFound,
    ExecutionNotRunning,
    InputError,
    QuotaExceeded,
    SavedScriptNotFound,
    StdinClosedError,
    UserNotFound,
    WebhookDeliveryNotFound,
    WebhookNotFound,
    WorkspaceNotFound,
)
from service.entrypoints.graphql.types.execution import ExecutionType
from service.entrypoints.graphql.types.input_accepted import InputAccepted
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.entrypoints.graphql.types.user import UserType
from service.entrypoints.graphql.types.webhooks import DeliveryType, WebhookSecret, WebhookType
from service.entrypoints.graphql.types.workspace import WorkspaceType

ExecuteScriptPayload = Annotated[
    ExecutionType | InputError | QuotaExceeded | AuthError,
    strawberry.union("ExecuteScriptPayload"),
]
CancelExecutionPayload = Annotated[
    ExecutionType | ExecutionNotFound | AuthError, strawberry.union("CancelExecutionPayload")
]
SendExecutionInputPayload = Annotated[
    InputAccepted
    | InputError
    | ExecutionNotFound
    | ExecutionNotRunning
    | StdinClosedError
    | AuthError,
    strawberry.union("SendExecutionInputPayload"),
]
AuthResult = Annotated[AuthPayload | InputError | AuthError, strawberry.union("AuthResult")]
CreateApiTokenPayload = Annotated[
    ApiTokenCreated | InputError | AuthError, strawberry.union("CreateApiTokenPayload")
]
UpdateUserPayload = Annotated[
    UserType | UserNotFound | InputError | AuthError, strawberry.union("UpdateUserPayload")
]
SavedScriptPayload = Annotated[
    SavedScriptType | SavedScriptNotFound | InputError | AuthError,
    strawberry.union("SavedScriptPayload"),
]
RunSavedScriptPayload = Annotated[
    ExecutionType | SavedScriptNotFound | InputError | QuotaExceeded | AuthError,
    strawberry.union("RunSavedScriptPayload"),
]
CreateWebhookPayload = Annotated[
    WebhookSecret | InputError | AuthError, strawberry.union("CreateWebhookPayload")
]
UpdateWebhookPayload = Annotated[
    WebhookType | WebhookNotFound | InputError | AuthError,
    strawberry.union("UpdateWebhookPayload"),
]
RotateWebhookSecretPayload = Annotated[
    WebhookSecret | WebhookNotFound | AuthError, strawberry.union("RotateWebhookSecretPayload")
]
RedeliverWebhookPayload = Annotated[
    DeliveryType | WebhookDeliveryNotFound | AuthError,
    strawberry.union("RedeliverWebhookPayload"),
]
CreateWorkspacePayload = Annotated[
    WorkspaceType | InputError | AuthError, strawberry.union("CreateWorkspacePayload")
]
WorkspaceFilesPayload = Annotated[
    WorkspaceType | WorkspaceNotFound | InputError | QuotaExceeded | AuthError,
    strawberry.union("WorkspaceFilesPayload"),
]
