"""`ApiToken`: a personal API token, without its secret."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.credentials import ApiTokenRecord


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
