"""Composition of the account use cases (auth, quotas, saved scripts, admin) from Settings."""

from __future__ import annotations

from dataclasses import fields

from service.adapters.auth.access_tokens import JwtAccessTokenCodec
from service.adapters.auth.keys import load_signing_keys
from service.adapters.auth.passwords import Argon2PasswordHasher
from service.adapters.store.credentials import (
    MongoApiTokenRepository,
    MongoRefreshTokenRepository,
)
from service.adapters.store.saved_scripts import MongoSavedScriptRepository
from service.adapters.store.users import MongoUserRepository
from service.domain.limits import Limits
from service.services.accounts.administering import Administration
from service.services.accounts.authenticating import Authenticator, AuthPolicy, RegistrationLimits
from service.services.accounts.saving import SavedScripts
from service.services.executions.quotas import QuotaGuard, QuotaPolicy, RoleQuota
from service.services.executions.submitting import Submitter
from service.services.ports.store import ExecutionRepository
from service.services.usecases import AccountUseCases
from service.settings import Settings


def role_cap(settings: Settings, role: str) -> Limits:
    """The largest limits `role` may ask for: PODRUN_ROLE_MAX_LIMITS over the server's."""
    server = settings.limit_policy().maximums
    overrides = settings.role_max_limits.get(role, {})
    values = {}
    for f in fields(Limits):
        value = overrides.get(f.name, getattr(server, f.name))
        values[f.name] = type(getattr(server, f.name))(value)
    return Limits(**values)


def quota_guard(settings: Settings, executions: ExecutionRepository) -> QuotaGuard:
    policy = QuotaPolicy(
        anonymous=RoleQuota(
            settings.quota_anonymous_concurrent,
            settings.quota_anonymous_per_minute,
            role_cap(settings, "anonymous"),
        ),
        user=RoleQuota(
            settings.quota_user_concurrent,
            settings.quota_user_per_minute,
            role_cap(settings, "user"),
        ),
        admin=RoleQuota(
            settings.quota_admin_concurrent,
            settings.quota_admin_per_minute,
            role_cap(settings, "admin"),
        ),
    )
    return QuotaGuard(executions, policy, settings.limit_policy())


def authenticator(settings: Settings) -> Authenticator:
    """Needs Beanie initialised (the repositories bind their collections)."""
    keys = load_signing_keys(
        secret=settings.auth_jwt_secret,
        private_key_file=settings.auth_jwt_private_key_file,
        public_key_file=settings.auth_jwt_public_key_file,
        data_dir=settings.data_dir,
    )
    codec = JwtAccessTokenCodec(
        keys,
        issuer=settings.auth_jwt_issuer,
        audience=settings.auth_jwt_audience,
        lifetime_seconds=settings.auth_access_token_seconds,
    )
    return Authenticator(
        MongoUserRepository(),
        MongoRefreshTokenRepository(),
        MongoApiTokenRepository(),
        Argon2PasswordHasher(),
        codec,
        AuthPolicy(
            refresh_lifetime_seconds=settings.auth_refresh_token_seconds,
            registration_open=settings.auth_registration,
            anonymous_allowed=settings.auth_anonymous,
            registration_limits=RegistrationLimits(
                per_address=settings.auth_registrations_per_address,
                total=settings.auth_registrations_total,
                window_seconds=settings.auth_registration_window_seconds,
            ),
        ),
    )


def account_use_cases(
    settings: Settings, submitter: Submitter, quotas: QuotaGuard
) -> AccountUseCases:
    return AccountUseCases(
        auth=authenticator(settings),
        admin=Administration(MongoUserRepository()),
        scripts=SavedScripts(
            MongoSavedScriptRepository(), submitter, max_script_bytes=settings.max_script_bytes
        ),
        quotas=quotas,
    )
