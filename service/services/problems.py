"""Expected failures of use cases, returned as values (the API turns them into data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputProblem:
    """The request itself is wrong; `field` names the offending input field."""

    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class NotFound:
    """No execution with this id is visible to the caller."""

    message: str
    id: str


@dataclass(frozen=True, slots=True)
class NotRunning:
    """The execution cannot take this action in its current status."""

    message: str
    status: str


@dataclass(frozen=True, slots=True)
class StdinClosed:
    """The execution's stdin takes no input: not interactive, or EOF was already sent."""

    message: str
    id: str


class AuthCode:
    """`AuthError.code` values."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - an error code
    TOKEN_REUSED = "TOKEN_REUSED"  # noqa: S105 - an error code
    REGISTRATION_CLOSED = "REGISTRATION_CLOSED"
    RATE_LIMITED = "RATE_LIMITED"
    # The token could not be checked: the store is down (not a verdict on the token).
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class AuthProblem:
    """The caller is not authenticated, or may not do this; `code` says which (see
    `AuthCode`)."""

    message: str
    code: str


@dataclass(frozen=True, slots=True)
class QuotaProblem:
    """A quota refused the request; the same request may succeed after `retry_after_seconds`."""

    message: str
    retry_after_seconds: float


def unauthenticated() -> AuthProblem:
    return AuthProblem("log in first (Authorization: Bearer <token>)", AuthCode.UNAUTHENTICATED)


def forbidden() -> AuthProblem:
    return AuthProblem("you may not do this", AuthCode.FORBIDDEN)


@dataclass(frozen=True, slots=True)
class StorageQuotaProblem:
    """The change would take the owner's workspaces past their storage quota; it succeeds
    once enough is deleted (no waiting helps)."""

    message: str
    used_bytes: int
    quota_bytes: int
