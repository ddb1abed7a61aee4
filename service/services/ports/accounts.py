"""What the account use cases need from storage and from crypto, as protocols.

The store adapter implements the repositories; `service.adapters.auth` the hasher and the
access-token codec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from service.domain.accounts import QuotaOverrides, Role, User
from service.domain.credentials import ApiTokenRecord, RefreshTokenRecord
from service.domain.scripts import SavedScript
from service.services.ports.store import Page


class UserRepository(Protocol):
    async def create(self, user: User) -> User | None:
        """Insert; None when the username is taken."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def get_by_username(self, username: str) -> User | None: ...

    async def count(self) -> int: ...

    async def set_role(self, user_id: str, role: Role) -> User | None: ...

    async def set_quotas(self, user_id: str, quotas: QuotaOverrides) -> User | None: ...

    async def set_password_hash(self, user_id: str, password_hash: str) -> None: ...

    async def page(self, *, first: int, after: str | None) -> Page[User]:
        """Oldest first; raises InvalidCursor for a cursor it did not issue."""
        ...


class RefreshTokenRepository(Protocol):
    async def create(self, record: RefreshTokenRecord) -> None: ...

    async def get(self, token_id: str) -> RefreshTokenRecord | None: ...

    async def mark_used(self, token_id: str, at: datetime) -> RefreshTokenRecord | None:
        """Atomically mark an unused, unrevoked token used; None when it was not."""
        ...

    async def revoke_family(self, family_id: str, at: datetime) -> int: ...

    async def revoke_user(self, user_id: str, at: datetime) -> int: ...


class ApiTokenRepository(Protocol):
    async def create(self, record: ApiTokenRecord) -> None: ...

    async def get(self, token_id: str) -> ApiTokenRecord | None: ...

    async def of_user(self, user_id: str) -> list[ApiTokenRecord]: ...

    async def revoke(self, token_id: str, user_id: str, at: datetime) -> bool: ...

    async def touch(self, token_id: str, at: datetime) -> None: ...


class SavedScriptRepository(Protocol):
    async def create(self, script: SavedScript) -> SavedScript: ...

    async def get(self, script_id: str) -> SavedScript | None: ...

    async def update(self, script_id: str, fields: Mapping[str, Any]) -> SavedScript | None:
        """Set some fields of the script (by their `SavedScript` names, as domain values)."""
        ...

    async def delete(self, script_id: str) -> bool: ...

    async def page(self, *, owner_id: str, first: int, after: str | None) -> Page[SavedScript]:
        """Newest first; raises InvalidCursor for a cursor it did not issue."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: str
    role: Role
    expires_at: datetime
    # When verification starts refusing it: `expires_at` plus the clock-skew leeway.
    refused_from: datetime


class InvalidAccessToken(ValueError):
    """Tampered, expired, wrongly signed, for another audience or issuer, or not a JWT."""


class AccessTokenCodec(Protocol):
    @property
    def lifetime_seconds(self) -> int: ...

    def issue(self, user: User, now: datetime) -> str: ...

    def verify(self, token: str) -> AccessClaims:
        """Raises InvalidAccessToken."""
        ...
