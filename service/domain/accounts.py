"""Accounts: users, their roles, per-user quota overrides, and who is calling (the principal).

Pure types: the rules that decide what a principal may see and do live in
`service.services.executions.ownership`, the stored records in the store adapter.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.Enum):
    USER = "USER"
    ADMIN = "ADMIN"


# Usernames travel in URLs, logs and tokens: keep them to a small, unambiguous alphabet.
USERNAME_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")
USERNAME_LENGTH = (3, 40)
PASSWORD_LENGTH = (8, 256)


@dataclass(frozen=True, slots=True)
class QuotaOverrides:
    """Per-user quotas an admin set; None falls back to the role's default."""

    max_concurrent_executions: int | None = None
    submissions_per_minute: int | None = None


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    password_hash: str
    role: Role
    created_at: datetime
    email: str | None = None
    quotas: QuotaOverrides = QuotaOverrides()
    disabled: bool = False


class PrincipalKind(enum.Enum):
    ANONYMOUS = "ANONYMOUS"
    USER = "USER"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes a request: a user (by token) or an anonymous caller.

    `client` identifies an anonymous caller for rate limiting only (its address); it never
    grants access to anything.
    """

    kind: PrincipalKind
    user_id: str | None = None
    username: str | None = None
    role: Role | None = None
    quotas: QuotaOverrides = QuotaOverrides()
    client: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.kind is PrincipalKind.ANONYMOUS

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def owner_id(self) -> str | None:
        """The owner recorded on what this principal creates (None: anonymous)."""
        return self.user_id

    @classmethod
    def of_user(cls, user: User) -> Principal:
        return cls(
            PrincipalKind.USER,
            user_id=user.id,
            username=user.username,
            role=user.role,
            quotas=user.quotas,
        )


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS)


def anonymous_from(client: str | None) -> Principal:
    return Principal(PrincipalKind.ANONYMOUS, client=client)


def username_problem(username: str) -> str | None:
    """Why this username cannot be registered, or None."""
    low, high = USERNAME_LENGTH
    if not low <= len(username) <= high:
        return f"username must be {low} to {high} characters"
    if not set(username) <= USERNAME_ALPHABET:
        return "username may hold only lowercase letters, digits, '_', '.' and '-'"
    return None


def password_problem(password: str) -> str | None:
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        return f"password must be {low} to {high} characters"
    return None


def email_problem(email: str) -> str | None:
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(email) > 254
        or any(c.isspace() for c in email)
    ):
        return "email is not a valid address"
    return None
