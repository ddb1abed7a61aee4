"""Saved scripts in the API."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.scripts import SavedScript as DomainSavedScript
from service.entrypoints.graphql.types.errors import Error
from service.entrypoints.graphql.types.execution import Node, PageInfo


@strawberry.type(description="Limits stored with a saved script; null: the server default.")
class SavedLimits:
    timeout_seconds: float | None
    memory_mib: int | None
    cpu_millicores: int | None
    max_processes: int | None
    max_output_bytes: int | None
    disk_mib: int | None


@strawberry.type(description="A named script of one user, to run again.")
class SavedScript(Node):
    name: str
    script: str
    runtime: str | None
    stdin: str | None
    limits: SavedLimits | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(cls, script: DomainSavedScript) -> SavedScript:
        limits = script.limits
        return cls(
            id=strawberry.ID(script.id),
            name=script.name,
            script=script.script,
            runtime=script.runtime,
            stdin=script.stdin,
            limits=SavedLimits(
                timeout_seconds=limits.timeout_seconds,
                memory_mib=limits.memory_mib,
                cpu_millicores=limits.cpu_millicores,
                max_processes=limits.max_processes,
                max_output_bytes=limits.max_output_bytes,
                disk_mib=limits.disk_mib,
            )
            if limits is not None
            else None,
            created_at=script.created_at,
            updated_at=script.updated_at,
        )


@strawberry.type(description="No saved script with this id is visible to the caller.")
class SavedScriptNotFound(Error):
    id: strawberry.ID


@strawberry.type
class SavedScriptEdge:
    cursor: str
    node: SavedScript


@strawberry.type(description="Saved scripts, newest first.")
class SavedScriptConnection:
    edges: list[SavedScriptEdge]
    page_info: PageInfo
