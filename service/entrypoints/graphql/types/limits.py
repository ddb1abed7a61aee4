"""`Limits`: the resources one execution may use (the domain's are
:class:`service.domain.limits.Limits`)."""

from __future__ import annotations

import strawberry

from service.domain.limits import Limits


@strawberry.type(name="Limits", description="Resources one execution may use.")
class LimitsType:
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
    def from_domain(cls, limits: Limits) -> LimitsType:
        return cls(
            timeout_seconds=limits.timeout_seconds,
            memory_mib=limits.memory_mib,
            cpu_millicores=limits.cpu_millicores,
            max_processes=limits.max_processes,
            max_output_bytes=limits.max_output_bytes,
            disk_mib=limits.disk_mib,
        )
