"""Resource limits of one execution, their defaults, server maximums and validation.

`Limits` is the one source of the limits' shape: its fields, their defaults and their units.
What else names them follows it: `LimitsRequest` (a test checks it has the same fields), the
store's columns (derived), the settings' defaults (read from `Limits()`), the GraphQL names
(`FIELD_NAMES`, derived; a test checks the schema against them).

Out-of-range input is reported field by field, never clamped silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any


def _unit(default: float, unit: str) -> Any:
    return field(default=default, metadata={"unit": unit})


@dataclass(frozen=True, slots=True)
class Limits:
    """What one sandbox may use. Each field's metadata names its unit (for messages)."""

    timeout_seconds: float = _unit(5.0, " s")
    memory_mib: int = _unit(128, " MiB")
    cpu_millicores: int = _unit(1000, " millicores")
    max_processes: int = _unit(64, "")
    max_output_bytes: int = _unit(1024 * 1024, " bytes")
    disk_mib: int = _unit(16, " MiB")


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


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


# GraphQL field names (strawberry's camelCase of the field names), so an InputError points at
# what the client sent.
FIELD_NAMES: dict[str, str] = {f.name: _camel(f.name) for f in fields(Limits)}
_UNITS: dict[str, str] = {f.name: f.metadata["unit"] for f in fields(Limits)}


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
