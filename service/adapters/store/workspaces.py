"""The workspaces collection: one document per workspace, its manifest inside it, so a
manifest switch is one conditional `update_one` (atomic on a single document)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from service.adapters.store.mapping import fields_to_dict, record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.adapters.store.workspace_documents import WorkspaceDocument
from service.domain.files import StoredFile
from service.domain.workspaces import Workspace
from service.services.ports.workspaces import WorkspaceNameTaken


def workspace_from_dict(raw: Mapping[str, Any]) -> Workspace:
    return record_from_dict(Workspace, raw)


@translates_outages
class MongoWorkspaceRepository:
    def __init__(self) -> None:
        self._collection = WorkspaceDocument.get_pymongo_collection()

    async def create(self, workspace: Workspace) -> Workspace:
        # The check first: the embedded store may not enforce the unique index; the index
        # still closes the race on a server that does.
        if await self.by_name(workspace.owner_id, workspace.name) is not None:
            raise WorkspaceNameTaken(workspace.name)
        try:
            await self._collection.insert_one(record_to_dict(workspace))
        except DuplicateKeyError as error:
            raise WorkspaceNameTaken(workspace.name) from error
        return workspace

    async def get(self, workspace_id: str) -> Workspace | None:
        raw = await self._collection.find_one({"_id": workspace_id})
        return workspace_from_dict(raw) if raw else None

    async def by_name(self, owner_id: str, name: str) -> Workspace | None:
        raw = await self._collection.find_one({"owner_id": owner_id, "name": name})
        return workspace_from_dict(raw) if raw else None

    async def of_owner(self, owner_id: str) -> list[Workspace]:
        cursor = self._collection.find({"owner_id": owner_id}).sort("name", 1)
        return [workspace_from_dict(raw) async for raw in cursor]

    async def switch(
        self, workspace_id: str, *, version: int, files: tuple[StoredFile, ...], at: datetime
    ) -> Workspace | None:
        columns = fields_to_dict(
            Workspace, {"files": files, "version": version + 1, "updated_at": at}
        )
        result = await self._collection.update_one(
            {"_id": workspace_id, "version": version}, {"$set": columns}
        )
        return await self.get(workspace_id) if result.matched_count == 1 else None

    async def delete(self, workspace_id: str) -> Workspace | None:
        found = await self.get(workspace_id)
        if found is None:
            return None
        result = await self._collection.delete_one({"_id": workspace_id})
        return found if result.deleted_count else None

    async def occupy(self, workspace_id: str, execution_id: str) -> str | None:
        await self._collection.update_one(
            {"_id": workspace_id, "holder": None}, {"$set": {"holder": execution_id}}
        )
        raw = await self._collection.find_one({"_id": workspace_id}, {"holder": 1})
        if raw is None:
            return None
        holder = raw.get("holder")
        # Free but not ours (the store did not take the write): busy, try again later.
        return holder if isinstance(holder, str) else ""

    async def take_over(self, workspace_id: str, stale: str, execution_id: str) -> bool:
        result = await self._collection.update_one(
            {"_id": workspace_id, "holder": stale}, {"$set": {"holder": execution_id}}
        )
        return result.matched_count == 1

    async def vacate(self, workspace_id: str, execution_id: str) -> None:
        await self._collection.update_one(
            {"_id": workspace_id, "holder": execution_id}, {"$set": {"holder": None}}
        )
