"""Limits and resource usage."""

from __future__ import annotations

import strawberry

from service.domain.limits import Limits as DomainLimits
from service.domain.sandboxes import ResourceUsage as DomainUsage


@strawberry.type(description="Resources one execution may use.")
class Limits:
    timeout_seconds: float = strawberry.field(description="Wall-clock limit.")
    memory_mib: int
    cpu_millicores: int
    max_processes: int
    max_output_bytes: int = strawberry.field(description="Across stdout and stderr together.")
    disk_mib: int = strawberry.field(
        description=(
            "One disk budget for everything the script can write (/work, /tmp and /dev/shm "
            "together; one inode per 4 KiB). The local backend grants at most half of "
            "memoryMib, since those pages count against memory: a full disk is ENOSPC."
        )
    )

    @classmethod
    def from_domain(cls, limits: DomainLimits) -> Limits:
        return cls(
            timeout_seconds=limits.timeout_seconds,
            memory_mib=limits.memory_mib,
            cpu_millicores=limits.cpu_millicores,
            max_processes=limits.max_processes,
            max_output_bytes=limits.max_output_bytes,
            disk_mib=limits.disk_mib,
        )


@strawberry.type(description="What the whole sandbox (all its processes) consumed.")
class ResourceUsage:
    cpu_time_ms: float
    peak_memory_kib: int
    wall_time_ms: float

    @classmethod
    def from_domain(cls, usage: DomainUsage) -> ResourceUsage:
        return cls(
            cpu_time_ms=usage.cpu_time_ms,
            peak_memory_kib=usage.peak_memory_kib,
            wall_time_ms=usage.wall_time_ms,
        )


@strawberry.type(description="Defaults and server maximums for limits.")
class LimitsPolicy:
    defaults: Limits
    maximums: Limits
    minimums: Limits
