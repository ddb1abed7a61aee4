"""Resource limits of one execution, their defaults, server maximums and validation.

Out-of-range input is reported field by field, never clamped silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    """What one sandbox may use."""

    timeout_seconds: float = 5.0
    memory_mib: int = 128
    cpu_millicores: int = 1000
    max_processes: int = 64
    max_output_bytes: int = 1024 * 1024
    disk_mib: int = 16


@dataclass(frozen=True, slots=True)
class LimitsRequest:
    """Limits as a client asked for them: None means "use the default"."""

    timeout_seconds: float | None = None
    memory_mib: int | None = None
    cpu_millicores: int | None = None
    max_processes: int | None = None
    max_output_bytes: int | None = None
    disk_mib: int | None = None


@dataclass(frozen=True, slots=True)
class LimitRange:
    minimum: float
    maximum: float


# Floors below which a Python interpreter cannot start or the limit is meaningless.
MINIMUMS = Limits(
    timeout_seconds=0.1,
    memory_mib=16,
    cpu_millicores=10,
    max_processes=1,
    max_output_bytes=1,
    disk_mib=1,
)

DEFAULT_MAXIMUMS = Limits(
    timeout_seconds=60.0,
    memory_mib=1024,
    cpu_millicores=2000,
    max_processes=256,
    max_output_bytes=16 * 1024 * 1024,
    disk_mib=512,
)

# GraphQL field names, so an InputError points at what the client sent.
FIELD_NAMES: dict[str, str] = {
    "timeout_seconds": "timeoutSeconds",
    "memory_mib": "memoryMib",
    "cpu_millicores": "cpuMillicores",
    "max_processes": "maxProcesses",
    "max_output_bytes": "maxOutputBytes",
    "disk_mib": "diskMib",
}

_UNITS: dict[str, str] = {
    "timeout_seconds": " s",
    "memory_mib": " MiB",
    "cpu_millicores": " millicores",
    "max_processes": "",
    "max_output_bytes": " bytes",
    "disk_mib": " MiB",
}


@dataclass(frozen=True, slots=True)
class LimitViolation:
    """One limit the client asked for that the server will not grant."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """Defaults and maximums a server applies to requested limits."""

    defaults: Limits = field(default_factory=Limits)
    maximums: Limits = DEFAULT_MAXIMUMS
    minimums: Limits = MINIMUMS

    def resolve(self, requested: LimitsRequest | None) -> Limits | LimitViolation:
        """Fill defaults and check ranges; the first violation wins, named by field."""
        if requested is None:
            return self.defaults
        chosen: dict[str, Any] = {}
        for f in fields(Limits):
            value = getattr(requested, f.name)
            if value is None:
                continue
            violation = self._check(f.name, value)
            if violation is not None:
                return violation
            chosen[f.name] = value
        return replace(self.defaults, **chosen)

    def _check(self, name: str, value: float) -> LimitViolation | None:
        field_name = f"limits.{FIELD_NAMES[name]}"
        if isinstance(value, float) and not math.isfinite(value):
            return LimitViolation(field_name, f"{FIELD_NAMES[name]} must be a finite number")
        low = getattr(self.minimums, name)
        high = getattr(self.maximums, name)
        if not low <= value <= high:
            unit = _UNITS[name]
            return LimitViolation(
                field_name,
                f"{FIELD_NAMES[name]} must be between {_fmt(low)}{unit} and "
                f"{_fmt(high)}{unit}; got {_fmt(value)}{unit}",
            )
        return None


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
