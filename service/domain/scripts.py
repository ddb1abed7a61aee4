"""Saved scripts: a named script with its runtime, stdin and limits, owned by one user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.domain.limits import LimitsRequest

MAX_SCRIPT_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SavedScript:
    id: str
    owner_id: str
    name: str
    script: str
    created_at: datetime
    updated_at: datetime
    runtime: str | None = None
    stdin: str | None = None
    limits: LimitsRequest | None = None
