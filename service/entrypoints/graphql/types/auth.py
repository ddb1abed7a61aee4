"""Accounts in the API: users, sessions, API tokens, quotas and the auth errors."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.accounts import Role as DomainRole
from service.domain.accounts import User as DomainUser
from service.domain.credentials import ApiTokenRecord
from service.entrypoints.graphql.types.errors import Error
from service.entrypoints.graphql.types.execution import PageInfo
from service.services.accounts.authenticating import Session
from service.services.problems import AuthProblem, QuotaProblem

Role = strawberry.enum(DomainRole, name="Role", description="What a user may do.")


@strawberry.type(description="Per-user quotas an admin set; null: the role's default.")
class QuotaOverrides:
    max_concurrent_executions: int | None
    submissions_per_minute: int | None


@strawberry.type(description="An account.")
class User:
    id: strawberry.ID
    username: str
    email: str | None
    role: Role  # type: ignore[valid-type]
    created_at: datetime
    quotas: QuotaOverrides

    @classmethod
    def from_domain(cls, user: DomainUser) -> User:
        return cls(
            id=strawberry.ID(user.id),
            username=user.username,
            email=user.email,
            role=user.role,
            created_at=user.created_at,
            quotas=QuotaOverrides(
                max_concurrent_executions=user.quotas.max_concurrent_executions,
                submissions_per_minute=user.quotas.submissions_per_minute,
            ),
        )


@strawberry.type(
    description="A session: send `accessToken` as `Authorization: Bearer …` (HTTP) or as "
    "`connectionParams.authorization` (WebSocket); trade `refreshToken` for a new pair before "
    "`expiresIn` seconds pass. Each refresh token works once."
)
class AuthPayload:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User

    @classmethod
    def from_domain(cls, session: Session) -> AuthPayload:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            expires_in=session.expires_in,
            user=User.from_domain(session.user),
        )


@strawberry.type(
    description="Not authenticated, or not allowed. code: UNAUTHENTICATED, FORBIDDEN, "
    "INVALID_CREDENTIALS, INVALID_TOKEN, TOKEN_REUSED, REGISTRATION_CLOSED, RATE_LIMITED, "
    "STORE_UNAVAILABLE (the token could not be checked: retry shortly)."
)
class AuthError(Error):
    code: str

    @classmethod
    def from_domain(cls, problem: AuthProblem) -> AuthError:
        return cls(message=problem.message, code=problem.code)


@strawberry.type(description="A quota refused the request; retry after `retryAfterSeconds`.")
class QuotaExceeded(Error):
    retry_after_seconds: float

    @classmethod
    def from_domain(cls, problem: QuotaProblem) -> QuotaExceeded:
        return cls(message=problem.message, retry_after_seconds=problem.retry_after_seconds)


@strawberry.type(description="No user with this id.")
class UserNotFound(Error):
    id: strawberry.ID


@strawberry.type(description="A personal API token (its secret is shown only once).")
class ApiToken:
    id: strawberry.ID
    name: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def from_domain(cls, record: ApiTokenRecord) -> ApiToken:
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            created_at=record.created_at,
            last_used_at=record.last_used_at,
        )


@strawberry.type(description="A new API token: `token` is the secret, shown this once.")
class ApiTokenCreated:
    token: str
    api_token: ApiToken


@strawberry.type(description="The quotas and largest limits that apply to the caller.")
class Quota:
    max_concurrent_executions: int
    submissions_per_minute: int


@strawberry.type
class UserEdge:
    cursor: str
    node: User


@strawberry.type(description="Users, oldest first.")
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo
