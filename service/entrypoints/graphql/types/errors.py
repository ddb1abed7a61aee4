"""Every error the API returns as data: the `Error` interface and its types.

Mutations answer expected failures as members of their payload unions (see
:mod:`service.entrypoints.graphql.types.payloads`), never as exceptions; the use cases'
problems (:mod:`service.services.problems`) become these types in one place,
:mod:`service.entrypoints.graphql.problems`.
"""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.enums import ExecutionStatus


@strawberry.interface(description="Something the client can fix or should know.")
class Error:
    message: str


@strawberry.type(description="The input was invalid; `field` names the offending input field.")
class InputError(Error):
    field: str | None = None


@strawberry.type(description="No execution with this id is visible to the caller.")
class ExecutionNotFound(Error):
    id: strawberry.ID


@strawberry.type(
    description="Not authenticated, or not allowed. code: UNAUTHENTICATED, FORBIDDEN, "
    "INVALID_CREDENTIALS, INVALID_TOKEN, TOKEN_REUSED, REGISTRATION_CLOSED, RATE_LIMITED, "
    "STORE_UNAVAILABLE (the token could not be checked: retry shortly)."
)
class AuthError(Error):
    code: str


@strawberry.type(
    description="A quota refused the request. A rate or concurrency quota: retry after "
    "`retryAfterSeconds`. The storage quota of workspaces (`usedBytes` and `limitBytes` set): "
    "waiting does not help (`retryAfterSeconds` is 0); delete files or workspaces first."
)
class QuotaExceeded(Error):
    retry_after_seconds: float
    used_bytes: int | None = strawberry.field(
        default=None, description="The storage quota: what the caller's workspaces hold."
    )
    limit_bytes: int | None = strawberry.field(
        default=None, description="The storage quota: what they may hold."
    )


@strawberry.type(description="No user with this id.")
class UserNotFound(Error):
    id: strawberry.ID


@strawberry.type(description="No saved script with this id is visible to the caller.")
class SavedScriptNotFound(Error):
    id: strawberry.ID


@strawberry.type(description="The execution has ended; nothing can be written to its stdin.")
class ExecutionNotRunning(Error):
    id: strawberry.ID
    status: ExecutionStatus  # type: ignore[valid-type]


@strawberry.type(
    name="StdinClosed",
    description="The execution's stdin takes no more input: it was not submitted with "
    "`interactive: true`, or `eof` was already sent.",
)
class StdinClosedError(Error):
    id: strawberry.ID


@strawberry.type(description="No webhook with this id is visible to the caller.")
class WebhookNotFound(Error):
    id: strawberry.ID


@strawberry.type(description="No webhook delivery with this id is visible to the caller.")
class WebhookDeliveryNotFound(Error):
    id: strawberry.ID


@strawberry.type(description="No workspace with this id is visible to the caller.")
class WorkspaceNotFound(Error):
    id: strawberry.ID
