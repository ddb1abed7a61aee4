"""`AuthPayload`: a session, as register, login and refreshToken return it."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.user import UserType
from service.services.accounts.authenticating import Session


@strawberry.type(
    description="A session: send `accessToken` as `Authorization: Bearer …` (HTTP) or as "
    "`connectionParams.authorization` (WebSocket); trade `refreshToken` for a new pair before "
    "`expiresIn` seconds pass. Each refresh token works once."
)
class AuthPayload:
    access_token: str
    refresh_token: str
    expires_in: int
    user: UserType

    @classmethod
    def from_domain(cls, session: Session) -> AuthPayload:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            expires_in=session.expires_in,
            user=UserType.from_domain(session.user),
        )
