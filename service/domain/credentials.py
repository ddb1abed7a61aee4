"""Credentials: refresh tokens (rotating, grouped in families) and personal API tokens.

Both are opaque strings `<prefix><id>.<secret>`; only a hash of the secret is stored, so a
leaked database does not leak usable tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

REFRESH_PREFIX = "prt_"
API_TOKEN_PREFIX = "pat_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord:
    """One refresh token. A family is one login: each rotation adds a member; presenting a
    member that was already used means it was stolen, and the whole family is revoked."""

    id: str
    family_id: str
    user_id: str
    secret_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiTokenRecord:
    """A long-lived personal token for the CLI and generated clients."""

    id: str
    user_id: str
    name: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpaqueToken:
    """A parsed `<prefix><id>.<secret>` token."""

    id: str
    secret: str


def parse_opaque(token: str, prefix: str) -> OpaqueToken | None:
    if not token.startswith(prefix):
        return None
    token_id, dot, secret = token[len(prefix) :].partition(".")
    if not dot or not token_id or not secret or len(token) > 512:
        return None
    return OpaqueToken(token_id, secret)


def format_opaque(prefix: str, token_id: str, secret: str) -> str:
    return f"{prefix}{token_id}.{secret}"
