"""Accounts and sessions: register, log in, refresh (rotating, with reuse detection), log out,
personal API tokens, and turning a bearer token into a Principal.

A session is a short-lived access token (a JWT, verified without a store read) plus an opaque
refresh token. Each refresh uses the presented token up and issues the next one of the same
family; presenting a used token again means two parties hold it, so the whole family is
revoked and both must log in again. Logout revokes the family.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from service.domain.accounts import (
    Principal,
    Role,
    User,
    anonymous_from,
    email_problem,
    password_problem,
    username_problem,
)
from service.domain.credentials import (
    API_TOKEN_PREFIX,
    REFRESH_PREFIX,
    ApiTokenRecord,
    RefreshTokenRecord,
    format_opaque,
    parse_opaque,
)
from service.services.accounts.throttling import RecentEvents
from service.services.clock import utcnow
from service.services.ports.accounts import (
    AccessTokenCodec,
    ApiTokenRepository,
    InvalidAccessToken,
    PasswordHasher,
    RefreshTokenRepository,
    UserRepository,
)
from service.services.problems import (
    AuthCode,
    AuthProblem,
    InputProblem,
    unauthenticated,
)

MAX_TOKEN_NAME_LENGTH = 100
# last_used_at is written at most this often per API token.
TOUCH_INTERVAL = timedelta(seconds=60)
# Failed logins tolerated per (username, client address) in a window, against guessing.
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW_SECONDS = 300.0
# The key under which every registration counts towards the server-wide cap.
ALL_ADDRESSES = ""


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


@dataclass(frozen=True, slots=True)
class RegistrationLimits:
    """Accounts registered per client address, and in all, per window (in this process):
    each registration costs a password hash, and a flood of accounts escapes per-user quotas."""

    per_address: int = 20
    total: int = 500
    window_seconds: float = 3600.0


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    refresh_lifetime_seconds: int = 14 * 24 * 3600
    registration_open: bool = True
    anonymous_allowed: bool = True
    registration_limits: RegistrationLimits = field(default_factory=RegistrationLimits)


@dataclass(frozen=True, slots=True)
class IssuedApiToken:
    token: str  # shown once; only its hash is stored
    record: ApiTokenRecord


def secret_hash(secret: str) -> str:
    # Secrets are 256-bit random: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


class Authenticator:
    def __init__(
        self,
        users: UserRepository,
        refresh_tokens: RefreshTokenRepository,
        api_tokens: ApiTokenRepository,
        hasher: PasswordHasher,
        codec: AccessTokenCodec,
        policy: AuthPolicy,
    ) -> None:
        self._users = users
        self._refresh = refresh_tokens
        self._api_tokens = api_tokens
        self._hasher = hasher
        self._codec = codec
        self.policy = policy
        # Verified against when the username is unknown, so timing does not tell.
        self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))
        # Keyed by (username, client address).
        self._failed_logins = RecentEvents(FAILED_LOGIN_WINDOW_SECONDS)
        # Keyed by client address, and ALL_ADDRESSES for the server-wide cap.
        self._registrations = RecentEvents(policy.registration_limits.window_seconds)

    # --- accounts -------------------------------------------------------------------------

    async def create_user(
        self, username: str, password: str, *, email: str | None = None, role: Role = Role.USER
    ) -> User | InputProblem:
        invalid = account_problem(username, password, email)
        if invalid is not None:
            return invalid
        user = User(
            id=uuid.uuid4().hex,
            username=username,
            password_hash=self._hasher.hash(password),
            role=role,
            created_at=utcnow(),
            email=email,
        )
        created = await self._users.create(user)
        if created is None:
            return InputProblem("username is taken", "username")
        return created

    async def register(
        self, username: str, password: str, email: str | None = None, *, client: str | None = None
    ) -> Session | InputProblem | AuthProblem:
        if not self.policy.registration_open:
            return AuthProblem(
                "registration is closed on this server", AuthCode.REGISTRATION_CLOSED
            )
        # Bad input costs nothing and counts for nothing; every other attempt counts (a taken
        # username too: it cost a password hash, and answers whether the name exists).
        invalid = account_problem(username, password, email)
        if invalid is not None:
            return invalid
        limited = self._registration_limited(client or "")
        if limited is not None:
            return limited
        self._registrations.record(client or "")
        self._registrations.record(ALL_ADDRESSES)
        user = await self.create_user(username, password, email=email)
        if isinstance(user, InputProblem):
            return user
        return await self._open_session(user)

    async def login(
        self, username: str, password: str, *, client: str | None = None
    ) -> Session | AuthProblem:
        attempts = (username, client or "")
        if self._failed_logins.count(attempts) >= MAX_FAILED_LOGINS:
            return AuthProblem(
                "too many failed logins; try again in a few minutes", AuthCode.RATE_LIMITED
            )
        user = await self._users.get_by_username(username)
        valid = self._hasher.verify(user.password_hash if user else self._dummy_hash, password)
        if user is None or not valid or user.disabled:
            self._failed_logins.record(attempts)
            return AuthProblem("wrong username or password", AuthCode.INVALID_CREDENTIALS)
        if self._hasher.needs_rehash(user.password_hash):
            await self._users.set_password_hash(user.id, self._hasher.hash(password))
        return await self._open_session(user)

    def _registration_limited(self, client: str) -> AuthProblem | None:
        limits = self.policy.registration_limits
        for key, limit, whose in (
            (client, limits.per_address, "from this address"),
            (ALL_ADDRESSES, limits.total, "on this server"),
        ):
            wait = self._registrations.seconds_until_below(key, limit)
            if wait > 0:
                minutes = max(1, math.ceil(wait / 60))
                return AuthProblem(
                    f"too many accounts registered {whose} lately; "
                    f"try again in {minutes} minute{'s' if minutes > 1 else ''}",
                    AuthCode.RATE_LIMITED,
                )
        return None

    # --- sessions -------------------------------------------------------------------------

    async def refresh(self, refresh_token: str) -> Session | AuthProblem:
        invalid = AuthProblem("invalid or expired refresh token", AuthCode.INVALID_TOKEN)
        record = await self._find_refresh(refresh_token)
        if record is None:
            return invalid
        now = utcnow()
        if record.revoked_at is not None or record.expires_at <= now:
            return invalid
        used = await self._refresh.mark_used(record.id, now)
        if used is None:
            # Already used (or revoked this instant): a copy is in someone else's hands.
            await self._refresh.revoke_family(record.family_id, now)
            return AuthProblem(
                "refresh token was already used; every session of this login is revoked",
                AuthCode.TOKEN_REUSED,
            )
        user = await self._users.get(record.user_id)
        if user is None or user.disabled:
            return invalid
        return await self._open_session(user, family_id=record.family_id)

    async def logout(self, refresh_token: str) -> bool:
        record = await self._find_refresh(refresh_token)
        if record is None:
            return False
        return await self._refresh.revoke_family(record.family_id, utcnow()) > 0

    async def _open_session(self, user: User, *, family_id: str | None = None) -> Session:
        now = utcnow()
        token_id, secret = uuid.uuid4().hex, secrets.token_urlsafe(32)
        await self._refresh.create(
            RefreshTokenRecord(
                id=token_id,
                family_id=family_id or uuid.uuid4().hex,
                user_id=user.id,
                secret_hash=secret_hash(secret),
                issued_at=now,
                expires_at=now + timedelta(seconds=self.policy.refresh_lifetime_seconds),
            )
        )
        return Session(
            access_token=self._codec.issue(user, now),
            refresh_token=format_opaque(REFRESH_PREFIX, token_id, secret),
            expires_in=self._codec.lifetime_seconds,
            user=user,
        )

    async def _find_refresh(self, token: str) -> RefreshTokenRecord | None:
        parsed = parse_opaque(token, REFRESH_PREFIX)
        if parsed is None:
            return None
        record = await self._refresh.get(parsed.id)
        if record is None or not hmac.compare_digest(
            record.secret_hash, secret_hash(parsed.secret)
        ):
            return None
        return record

    # --- who is calling -------------------------------------------------------------------

    async def authenticate(
        self, bearer: str | None, *, client: str | None
    ) -> Principal | AuthProblem:
        """The principal of a request: from its token, else anonymous (when allowed)."""
        if not bearer:
            if not self.policy.anonymous_allowed:
                return unauthenticated()
            return anonymous_from(client)
        invalid = AuthProblem("invalid or expired token", AuthCode.INVALID_TOKEN)
        if bearer.startswith(API_TOKEN_PREFIX):
            user = await self._user_of_api_token(bearer)
        else:
            try:
                claims = self._codec.verify(bearer)
            except InvalidAccessToken:
                return invalid
            user = await self._users.get(claims.user_id)
        if user is None or user.disabled:
            return invalid
        return Principal.of_user(user)

    def refused_from(self, bearer: str | None) -> datetime | None:
        """When the access token `bearer` stops being accepted. None for an API token (it
        works until revoked), for no token, and for one that is not accepted now."""
        if not bearer or bearer.startswith(API_TOKEN_PREFIX):
            return None
        try:
            return self._codec.verify(bearer).refused_from
        except InvalidAccessToken:
            return None

    async def _user_of_api_token(self, token: str) -> User | None:
        parsed = parse_opaque(token, API_TOKEN_PREFIX)
        if parsed is None:
            return None
        record = await self._api_tokens.get(parsed.id)
        if (
            record is None
            or record.revoked_at is not None
            or not hmac.compare_digest(record.secret_hash, secret_hash(parsed.secret))
        ):
            return None
        now = utcnow()
        if record.last_used_at is None or now - record.last_used_at > TOUCH_INTERVAL:
            await self._api_tokens.touch(record.id, now)
        return await self._users.get(record.user_id)

    # --- personal API tokens --------------------------------------------------------------

    async def create_api_token(
        self, principal: Principal, name: str
    ) -> IssuedApiToken | InputProblem | AuthProblem:
        if principal.user_id is None:
            return unauthenticated()
        if not 1 <= len(name) <= MAX_TOKEN_NAME_LENGTH or not name.isprintable():
            return InputProblem(
                f"name must be 1 to {MAX_TOKEN_NAME_LENGTH} printable characters", "name"
            )
        token_id, secret = uuid.uuid4().hex, secrets.token_urlsafe(32)
        record = ApiTokenRecord(
            id=token_id,
            user_id=principal.user_id,
            name=name,
            secret_hash=secret_hash(secret),
            created_at=utcnow(),
        )
        await self._api_tokens.create(record)
        return IssuedApiToken(format_opaque(API_TOKEN_PREFIX, token_id, secret), record)

    async def api_tokens(self, principal: Principal) -> list[ApiTokenRecord]:
        if principal.user_id is None:
            return []
        return await self._api_tokens.of_user(principal.user_id)

    async def revoke_api_token(self, principal: Principal, token_id: str) -> bool:
        if principal.user_id is None:
            return False
        return await self._api_tokens.revoke(token_id, principal.user_id, utcnow())

    async def user(self, user_id: str) -> User | None:
        return await self._users.get(user_id)


def account_problem(username: str, password: str, email: str | None) -> InputProblem | None:
    for problem, name in (
        (username_problem(username), "username"),
        (password_problem(password), "password"),
        (email_problem(email) if email is not None else None, "email"),
    ):
        if problem is not None:
            return InputProblem(problem, name)
    return None
