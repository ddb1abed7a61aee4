"""`SavedScript`: a named script of one user, to run again (the domain's is
:class:`service.domain.scripts.SavedScript`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.scripts import SavedScript
from service.entrypoints.graphql.types.node import Node
from service.entrypoints.graphql.types.saved_limits import SavedLimits


@strawberry.type(name="SavedScript", description="A named script of one user, to run again.")
class SavedScriptType(Node):
    name: str
    script: str
    runtime: str | None
    stdin: str | None
    limits: SavedLimits | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(cls, script: SavedScript) -> SavedScriptType:
        return cls(
            id=strawberry.ID(script.id),
            name=script.name,
            script=script.script,
            runtime=script.runtime,
            stdin=script.stdin,
            limits=SavedLimits.from_domain(script.limits) if script.limits is not None else None,
            created_at=script.created_at,
            updated_at=script.updated_at,
        )
