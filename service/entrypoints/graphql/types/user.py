"""`User`: an account as the API shows it (the domain's is
:class:`service.domain.accounts.User`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.accounts import User
from service.entrypoints.graphql.types.enums import Role
from service.entrypoints.graphql.types.quota_overrides import QuotaOverridesType


@strawberry.type(name="User", description="An account.")
class UserType:
    id: strawberry.ID
    username: str
    email: str | None
    role: Role  # type: ignore[valid-type]
    created_at: datetime
    quotas: QuotaOverridesType

    @classmethod
    def from_domain(cls, user: User) -> UserType:
        return cls(
            id=strawberry.ID(user.id),
            username=user.username,
            email=user.email,
            role=user.role,
            created_at=user.created_at,
            quotas=QuotaOverridesType.from_domain(user.quotas),
        )
