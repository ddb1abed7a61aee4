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


@dataclass(frozen=True, slots=True)
class AuthProblem:
    """The caller is not authenticated, or may not do this; `code` says which (see
    `service.services.authenticating.AuthCode`)."""

    message: str
    code: str


@dataclass(frozen=True, slots=True)
class QuotaProblem:
    """A quota refused the request; the same request may succeed after `retry_after_seconds`."""

    message: str
    retry_after_seconds: float
