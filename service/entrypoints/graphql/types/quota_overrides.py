"""`QuotaOverrides`: the per-user quotas an admin set (the domain's are
:class:`service.domain.accounts.QuotaOverrides`)."""

from __future__ import annotations

import strawberry

from service.domain.accounts import QuotaOverrides


@strawberry.type(
    name="QuotaOverrides", description="Per-user quotas an admin set; null: the role's default."
)
class QuotaOverridesType:
    max_concurrent_executions: int | None
    submissions_per_minute: int | None

    @classmethod
    def from_domain(cls, quotas: QuotaOverrides) -> QuotaOverridesType:
        return cls(
            max_concurrent_executions=quotas.max_concurrent_executions,
            submissions_per_minute=quotas.submissions_per_minute,
        )
