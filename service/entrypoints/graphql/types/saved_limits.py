"""`SavedLimits`: the limits stored with a saved script, each null for the server default
(the domain's are :class:`service.domain.limits.LimitsRequest`)."""

from __future__ import annotations

import strawberry

from service.domain.limits import LimitsRequest


@strawberry.type(description="Limits stored with a saved script; null: the server default.")
class SavedLimits:
    timeout_seconds: float | None
    memory_mib: int | None
    cpu_millicores: int | None
    max_processes: int | None
    max_output_bytes: int | None
    disk_mib: int | None

    @classmethod
    def from_domain(cls, limits: LimitsRequest) -> SavedLimits:
        return cls(
            timeout_seconds=limits.timeout_seconds,
            memory_mib=limits.memory_mib,
            cpu_millicores=limits.cpu_millicores,
            max_processes=limits.max_processes,
            max_output_bytes=limits.max_output_bytes,
            disk_mib=limits.disk_mib,
        )
