"""Quotas: how many executions a caller may have running and submit per minute, and the
largest limits each role may ask for.

A user's counts come from the executions collection (so every API replica agrees); anonymous
callers share one concurrency budget and are rate limited per client address in this process.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, fields, replace
from datetime import timedelta

from service.domain.accounts import Principal, Role
from service.domain.limits import LimitPolicy, Limits
from service.services.clock import utcnow
from service.services.ports.store import ExecutionRepository
from service.services.problems import QuotaProblem

WINDOW_SECONDS = 60.0
# Anonymous callers tracked at once; the oldest are forgotten beyond this (bounded memory).
MAX_TRACKED_CLIENTS = 10_000


@dataclass(frozen=True, slots=True)
class RoleQuota:
    max_concurrent_executions: int
    submissions_per_minute: int
    # The largest limits this role may ask for; never above the server's maximums.
    max_limits: Limits


@dataclass(frozen=True, slots=True)
class QuotaPolicy:
    anonymous: RoleQuota
    user: RoleQuota
    admin: RoleQuota

    def of(self, principal: Principal) -> RoleQuota:
        if principal.is_anonymous:
            return self.anonymous
        return self.admin if principal.role is Role.ADMIN else self.user


def capped_policy(base: LimitPolicy, cap: Limits) -> LimitPolicy:
    """`base` with its maximums (and defaults) lowered to `cap` where it is lower."""
    lowered = {
        f.name: min(getattr(base.maximums, f.name), getattr(cap, f.name)) for f in fields(Limits)
    }
    maximums = replace(base.maximums, **lowered)
    defaults = replace(
        base.defaults,
        **{f.name: min(getattr(base.defaults, f.name), lowered[f.name]) for f in fields(Limits)},
    )
    return replace(base, maximums=maximums, defaults=defaults)


class QuotaGuard:
    """Checks a submission against the caller's quotas before it is stored."""

    def __init__(
        self, executions: ExecutionRepository, policy: QuotaPolicy, limits: LimitPolicy
    ) -> None:
        self._executions = executions
        self._policy = policy
        self._limits = limits
        self._anonymous_windows: dict[str, deque[float]] = {}

    def limit_policy_for(self, principal: Principal) -> LimitPolicy:
        return capped_policy(self._limits, self._policy.of(principal).max_limits)

    def quota_of(self, principal: Principal) -> RoleQuota:
        role = self._policy.of(principal)
        overrides = principal.quotas
        return replace(
            role,
            max_concurrent_executions=overrides.max_concurrent_executions
            if overrides.max_concurrent_executions is not None
            else role.max_concurrent_executions,
            submissions_per_minute=overrides.submissions_per_minute
            if overrides.submissions_per_minute is not None
            else role.submissions_per_minute,
        )

    async def check(self, principal: Principal) -> QuotaProblem | None:
        quota = self.quota_of(principal)
        active = await self._executions.count_active(principal.owner_id)
        if active >= quota.max_concurrent_executions:
            return QuotaProblem(
                f"{active} executions are queued or running; the limit is "
                f"{quota.max_concurrent_executions} at once",
                1.0,
            )
        if principal.is_anonymous:
            return self._check_anonymous_rate(principal, quota)
        assert principal.user_id is not None
        now = utcnow()
        recent = await self._executions.created_since(
            principal.user_id, now - timedelta(seconds=WINDOW_SECONDS), quota.submissions_per_minute
        )
        if len(recent) >= quota.submissions_per_minute:
            retry = WINDOW_SECONDS - (now - recent[0]).total_seconds()
            return _rate_problem(quota, retry)
        return None

    def record(self, principal: Principal) -> None:
        """Count an accepted anonymous submission (users are counted from the store)."""
        if not principal.is_anonymous:
            return
        window = self._anonymous_windows.setdefault(principal.client or "", deque())
        window.append(time.monotonic())
        if len(self._anonymous_windows) > MAX_TRACKED_CLIENTS:
            self._anonymous_windows.pop(next(iter(self._anonymous_windows)))

    def _check_anonymous_rate(self, principal: Principal, quota: RoleQuota) -> QuotaProblem | None:
        window = self._anonymous_windows.get(principal.client or "")
        if window is None:
            return None
        now = time.monotonic()
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        if len(window) >= quota.submissions_per_minute:
            return _rate_problem(quota, window[0] + WINDOW_SECONDS - now)
        return None


def _rate_problem(quota: RoleQuota, retry_after: float) -> QuotaProblem:
    return QuotaProblem(
        f"at most {quota.submissions_per_minute} submissions a minute",
        max(1.0, round(retry_after, 1)),
    )
