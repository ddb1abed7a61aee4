"""Wall-clock time as MongoDB stores it (UTC, millisecond precision), so an event's `at`
is the same whether it arrives live or is replayed from the store."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
