"""`LimitsInput`: limits a caller asks for, each omitted one taking the server default."""

from __future__ import annotations

import strawberry

from service.domain.limits import LimitsRequest


@strawberry.input(description="Limits to ask for; omitted fields take the server defaults.")
class LimitsInput:
    timeout_seconds: float | None = None
    memory_mib: int | None = None
    cpu_millicores: int | None = None
    max_processes: int | None = None
    max_output_bytes: int | None = None
    disk_mib: int | None = None

    def to_domain(self) -> LimitsRequest:
        return LimitsRequest(
            timeout_seconds=self.timeout_seconds,
            memory_mib=self.memory_mib,
            cpu_millicores=self.cpu_millicores,
            max_processes=self.max_processes,
            max_output_bytes=self.max_output_bytes,
            disk_mib=self.disk_mib,
        )
