"""Short-lived JWT access tokens (pyjwt): HS256 with a secret, or RS256 with a key pair.

Verification pins the one algorithm this server signs with (so `alg: none` and HS/RS
confusion are refused), and requires `exp`, `iat`, `sub`, the issuer and the audience.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from service.domain.accounts import Role, User
from service.services.ports.accounts import AccessClaims, InvalidAccessToken

# Clock skew tolerated between replicas.
LEEWAY_SECONDS = 5


@dataclass(frozen=True, slots=True)
class SigningKeys:
    algorithm: Literal["HS256", "RS256"]
    signing_key: str | bytes
    verifying_key: str | bytes


class JwtAccessTokenCodec:
    def __init__(
        self, keys: SigningKeys, *, issuer: str, audience: str, lifetime_seconds: int
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime_seconds

    @property
    def lifetime_seconds(self) -> int:
        return self._lifetime

    def issue(self, user: User, now: datetime) -> str:
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": user.id,
            "role": user.role.value,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self._lifetime)).timestamp()),
            "jti": uuid.uuid4().hex,
            "typ": "access",
        }
        return jwt.encode(claims, self._keys.signing_key, algorithm=self._keys.algorithm)

    def verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._keys.verifying_key,
                algorithms=[self._keys.algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidAccessToken(str(error)) from error
        if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str):
            raise InvalidAccessToken("not an access token")
        try:
            role = Role(claims.get("role"))
        except ValueError as error:
            raise InvalidAccessToken("unknown role") from error
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        return AccessClaims(
            user_id=claims["sub"],
            role=role,
            expires_at=expires_at,
            refused_from=expires_at + timedelta(seconds=LEEWAY_SECONDS),
        )
