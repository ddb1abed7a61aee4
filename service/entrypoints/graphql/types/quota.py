"""`Quota`: the quotas that apply to the caller (`Query.myQuota`)."""

from __future__ import annotations

import strawberry


@strawberry.type(description="The quotas and largest limits that apply to the caller.")
class Quota:
    max_concurrent_executions: int
    submissions_per_minute: int
