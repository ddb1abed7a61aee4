"""`QuotaInput`: the per-user quotas an admin sets."""

from __future__ import annotations

import strawberry

from service.domain.accounts import QuotaOverrides


@strawberry.input(description="Per-user quotas; null restores the role's default.")
class QuotaInput:
    max_concurrent_executions: int | None = None
    submissions_per_minute: int | None = None

    def to_domain(self) -> QuotaOverrides:
        return QuotaOverrides(self.max_concurrent_executions, self.submissions_per_minute)
