"""`ResourceUsage`: what a sandbox consumed (the domain's is
:class:`service.domain.sandboxes.ResourceUsage`)."""

from __future__ import annotations

import strawberry

from service.domain.sandboxes import ResourceUsage


@strawberry.type(
    name="ResourceUsage", description="What the whole sandbox (all its processes) consumed."
)
class ResourceUsageType:
    cpu_time_ms: float
    peak_memory_kib: int
    wall_time_ms: float

    @classmethod
    def from_domain(cls, usage: ResourceUsage) -> ResourceUsageType:
        return cls(
            cpu_time_ms=usage.cpu_time_ms,
            peak_memory_kib=usage.peak_memory_kib,
            wall_time_ms=usage.wall_time_ms,
        )
