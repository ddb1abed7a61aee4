"""Mutations on workspaces: create, delete, write and delete files
(:mod:`service.services.workspaces.managing`)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from service.domain.accounts import Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.input_types.file_input import FileInput, files_to_domain
from service.entrypoints.graphql.permissions import Authenticated, answer, as_auth_error
from service.entrypoints.graphql.problems import PROBLEMS, WORKSPACE_ERRORS
from service.entrypoints.graphql.types.payloads import (
    CreateWorkspacePayload,
    WorkspaceFilesPayload,
)
from service.entrypoints.graphql.types.workspace import WorkspaceType
from service.services.workspaces.managing import Workspaces


def workspaces_of(info: Info[Context, None]) -> Workspaces:
    workspaces = info.context.use_cases.workspaces
    if workspaces is None:
        # Only a server built without a file store: never `podrun serve`.
        raise RuntimeError("this server keeps no workspaces")
    return workspaces


@strawberry.type
class WorkspaceMutationMixin:
    @strawberry.mutation(
        description="A new, empty workspace of the caller's (logged-in users; names are "
        "unique per user).",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def create_workspace(
        self, info: Info[Context, None], principal: Principal, name: str
    ) -> CreateWorkspacePayload:
        workspaces = workspaces_of(info)
        result = await workspaces.create(principal, name)
        if isinstance(result, PROBLEMS):
            return WORKSPACE_ERRORS(result)
        return WorkspaceType.from_domain(result, workspaces.quota_bytes)

    @strawberry.mutation(
        description="Delete a workspace and its files; false when there was none to delete. "
        "A run on it that is still going keeps what it was given; what it leaves is not kept.",
        extensions=[Authenticated(refused=answer(False))],
    )
    async def delete_workspace(
        self, info: Info[Context, None], principal: Principal, id: strawberry.ID
    ) -> bool:
        return await workspaces_of(info).delete(principal, str(id)) is True

    @strawberry.mutation(
        description="Add files to a workspace, or replace those with the same path; the "
        "others stay. All of them or none.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def write_workspace_files(
        self,
        info: Info[Context, None],
        principal: Principal,
        id: strawberry.ID,
        files: list[FileInput],
    ) -> WorkspaceFilesPayload:
        workspaces = workspaces_of(info)
        decoded = files_to_domain(files)
        if isinstance(decoded, PROBLEMS):
            return WORKSPACE_ERRORS(decoded)
        result = await workspaces.write_files(principal, str(id), decoded)
        if isinstance(result, PROBLEMS):
            return WORKSPACE_ERRORS(result)
        return WorkspaceType.from_domain(result, workspaces.quota_bytes)

    @strawberry.mutation(
        description="Delete files of a workspace: these `paths`, and every file under each "
        "of `prefixes` (`data/` empties a directory); paths it does not hold are no error.",
        extensions=[Authenticated(refused=as_auth_error)],
    )
    async def delete_workspace_files(
        self,
        info: Info[Context, None],
        principal: Principal,
        id: strawberry.ID,
        paths: list[str] | None = None,
        prefixes: list[str] | None = None,
    ) -> WorkspaceFilesPayload:
        workspaces = workspaces_of(info)
        result = await workspaces.delete_files(
            principal, str(id), paths=paths or (), prefixes=prefixes or ()
        )
        if isinstance(result, PROBLEMS):
            return WORKSPACE_ERRORS(result)
        return WorkspaceType.from_domain(result, workspaces.quota_bytes)
