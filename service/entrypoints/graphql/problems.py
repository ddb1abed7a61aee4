"""The one mapping from the use cases' problems (:mod:`service.services.problems`) to what
the API answers: an error type of :mod:`service.entrypoints.graphql.types.errors` in a
mutation's payload union, or a GraphQL error where a field has no union to put it in.

`NotFound` names no kind of thing, so each subject has its own mapping
(`EXECUTION_ERRORS`, `SCRIPT_ERRORS`, `USER_ERRORS`), telling which not-found type it is.
A resolver narrows a use case's result with `isinstance(result, PROBLEMS)` and hands the
problem to its mapping.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar, overload

import strawberry
from graphql import GraphQLError

from service.domain.statuses import ExecutionStatus
from service.entrypoints.graphql.types.errors import (
    AuthError,
    Error,
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
from service.services.problems import (
    AuthProblem,
    InputProblem,
    NotFound,
    NotRunning,
    QuotaProblem,
    StdinClosed,
    StorageQuotaProblem,
)

ServiceProblem = (
    InputProblem
    | AuthProblem
    | QuotaProblem
    | StorageQuotaProblem
    | NotFound
    | NotRunning
    | StdinClosed
)
PROBLEMS = (
    InputProblem,
    AuthProblem,
    QuotaProblem,
    StorageQuotaProblem,
    NotFound,
    NotRunning,
    StdinClosed,
)


class NotFoundError(Protocol):
    def __init__(self, *, message: str, id: strawberry.ID) -> None: ...


M = TypeVar("M", bound=NotFoundError)


def auth_error(problem: AuthProblem) -> AuthError:
    return AuthError(message=problem.message, code=problem.code)


def graphql_error(problem: AuthProblem) -> GraphQLError:
    """For fields without an error union: the message, and the code in `extensions.code`."""
    return GraphQLError(problem.message, extensions={"code": problem.code})


class ErrorMapping(Generic[M]):
    """Problems of the use cases on one subject, as the API's error types."""

    def __init__(self, not_found: type[M]) -> None:
        self.not_found = not_found

    @overload
    def __call__(self, problem: InputProblem, *, id: str | None = None) -> InputError: ...
    @overload
    def __call__(self, problem: AuthProblem, *, id: str | None = None) -> AuthError: ...
    @overload
    def __call__(
        self, problem: QuotaProblem | StorageQuotaProblem, *, id: str | None = None
    ) -> QuotaExceeded: ...
    @overload
    def __call__(self, problem: NotFound, *, id: str | None = None) -> M: ...
    @overload
    def __call__(self, problem: NotRunning, *, id: str | None = None) -> ExecutionNotRunning: ...
    @overload
    def __call__(self, problem: StdinClosed, *, id: str | None = None) -> StdinClosedError: ...

    def __call__(self, problem: ServiceProblem, *, id: str | None = None) -> Error | M:
        """`id`: the id the request named, for problems that do not carry it (NotRunning)."""
        match problem:
            case InputProblem(message=message, field=field):
                return InputError(message=message, field=field)
            case AuthProblem():
                return auth_error(problem)
            case QuotaProblem(message=message, retry_after_seconds=seconds):
                return QuotaExceeded(message=message, retry_after_seconds=seconds)
            case StorageQuotaProblem(message=message, used_bytes=used, quota_bytes=quota):
                return QuotaExceeded(
                    message=message, retry_after_seconds=0.0, used_bytes=used, limit_bytes=quota
                )
            case NotFound(message=message, id=missing):
                return self.not_found(message=message, id=strawberry.ID(missing))
            case NotRunning(message=message, status=status):
                if id is None:
                    raise TypeError("NotRunning names no execution: pass the request's id")
                return ExecutionNotRunning(
                    message=message, id=strawberry.ID(id), status=ExecutionStatus(status)
                )
            case StdinClosed(message=message, id=closed):
                return StdinClosedError(message=message, id=strawberry.ID(closed))


EXECUTION_ERRORS = ErrorMapping(ExecutionNotFound)
SCRIPT_ERRORS = ErrorMapping(SavedScriptNotFound)
USER_ERRORS = ErrorMapping(UserNotFound)
WEBHOOK_ERRORS = ErrorMapping(WebhookNotFound)
DELIVERY_ERRORS = ErrorMapping(WebhookDeliveryNotFound)
WORKSPACE_ERRORS = ErrorMapping(WorkspaceNotFound)
