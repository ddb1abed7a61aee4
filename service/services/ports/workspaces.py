"""The workspace store port: workspace records, whose manifest switches in one write."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from service.domain.files import StoredFile
from service.domain.workspaces import Workspace


class WorkspaceNameTaken(Exception):
    """The owner already has a workspace of that name."""


class WorkspaceRepository(Protocol):
    async def create(self, workspace: Workspace) -> Workspace:
        """Insert it; raises WorkspaceNameTaken when its owner has one of that name."""
        ...

    async def get(self, workspace_id: str) -> Workspace | None: ...

    async def by_name(self, owner_id: str, name: str) -> Workspace | None: ...

    async def of_owner(self, owner_id: str) -> list[Workspace]:
        """All of the owner's workspaces, by name."""
        ...

    async def switch(
        self, workspace_id: str, *, version: int, files: tuple[StoredFile, ...], at: datetime
    ) -> Workspace | None:
        """Replace the manifest in one write, only when the record is still at `version`
        (then at `version + 1`); None when it is not (changed meanwhile, or gone)."""
        ...

    async def delete(self, workspace_id: str) -> Workspace | None:
        """Remove the record; what it was (its blobs are the caller's), None when gone."""
        ...

    async def occupy(self, workspace_id: str, execution_id: str) -> str | None:
        """Make `execution_id` the workspace's holder unless another execution holds it:
        the holder afterwards (`execution_id` when it got it, or held it already), None
        when the workspace is gone."""
        ...

    async def take_over(self, workspace_id: str, stale: str, execution_id: str) -> bool:
        """Replace the holder `stale` (an execution that ended without leaving) by
        `execution_id`; False when the holder is no longer `stale`."""
        ...

    async def vacate(self, workspace_id: str, execution_id: str) -> None:
        """Leave the workspace free, when `execution_id` still holds it."""
        ...
