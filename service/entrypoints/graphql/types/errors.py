"""Errors returned as data in mutation payload unions."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="Something the client can fix or should know.")
class Error:
    message: str


@strawberry.type(description="The input was invalid; `field` names the offending input field.")
class InputError(Error):
    field: str | None = None


@strawberry.type(description="No execution with this id is visible to the caller.")
class ExecutionNotFound(Error):
    id: strawberry.ID
