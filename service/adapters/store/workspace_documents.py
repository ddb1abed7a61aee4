"""The collection of `Workspace` records (`service.domain.workspaces`)."""

from __future__ import annotations

import pymongo
from beanie import Document
from pymongo import IndexModel


class WorkspaceDocument(Document):
    """`Workspace` records; a name is unique per owner."""

    class Settings:
        name = "workspaces"
        indexes = [
            IndexModel(
                [("owner_id", pymongo.ASCENDING), ("name", pymongo.ASCENDING)],
                name="owner_name_unique",
                unique=True,
            )
        ]


WORKSPACE_DOCUMENT_MODELS: list[type[Document]] = [WorkspaceDocument]
