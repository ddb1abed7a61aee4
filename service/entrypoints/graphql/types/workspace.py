"""`Workspace`: a user's persistent `/work` (the domain's record is
:class:`service.domain.workspaces.Workspace`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.domain.workspaces import Workspace
from service.entrypoints.graphql.types.files import FileType
from service.entrypoints.graphql.types.node import Node


@strawberry.type(
    name="Workspace",
    description="A persistent /work: a run on it starts with its files, and what the run "
    "leaves there becomes the workspace (see docs/workspaces.md).",
)
class WorkspaceType(Node):
    name: str
    size_bytes: int = strawberry.field(description="Its files' bytes together.")
    quota_bytes: int = strawberry.field(
        description="What all of the owner's workspaces may hold together."
    )
    file_count: int
    created_at: datetime
    updated_at: datetime = strawberry.field(description="When its files last changed.")

    _record: strawberry.Private[Workspace]

    @strawberry.field(
        description="Its files by path; with `prefix`, those whose path starts with it "
        "(`data/` lists a directory)."
    )
    def files(self, prefix: str | None = None) -> list[FileType]:
        workspace = self._record
        return [FileType.of_workspace(workspace.id, f) for f in workspace.files_under(prefix)]

    @classmethod
    def from_domain(cls, workspace: Workspace, quota_bytes: int) -> WorkspaceType:
        return cls(
            id=strawberry.ID(workspace.id),
            name=workspace.name,
            size_bytes=workspace.size_bytes,
            quota_bytes=quota_bytes,
            file_count=workspace.file_count,
            created_at=workspace.created_at,
            updated_at=workspace.updated_at,
            _record=workspace,
        )
