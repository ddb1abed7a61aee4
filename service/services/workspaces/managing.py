"""Workspaces: create, list, delete, write and delete files; each visible only to its owner
(and admins), with the same refusal as an unknown id. Anonymous callers have none.

A change stores the new contents first, then switches the manifest in one conditional
write (`WorkspaceRepository.switch`), then forgets the blobs nothing refers to any more: a
change that fails leaves the old manifest, and a crash in between leaks blobs, never loses
files. The owner's storage quota (all of their workspaces together) is checked against the
manifest being switched to, and refused as data (`StorageQuotaProblem`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence

from service.domain.accounts import Principal
from service.domain.files import FileContent, StoredFile
from service.domain.workspaces import (
    DEFAULT_STORAGE_QUOTA_BYTES,
    StorageUse,
    Workspace,
    check_writes,
    manifest_problem,
    name_problem,
    with_files,
    without_files,
)
from service.services.clock import utcnow
from service.services.files.keeping import content_type_of
from service.services.ports.files import BlobStore
from service.services.ports.workspaces import WorkspaceNameTaken, WorkspaceRepository
from service.services.problems import (
    AuthProblem,
    InputProblem,
    NotFound,
    StorageQuotaProblem,
    unauthenticated,
)

# How often a change is rebuilt on the newest manifest when another one landed meanwhile.
MAX_SWITCH_ATTEMPTS = 5

Change = Callable[[tuple[StoredFile, ...]], tuple[StoredFile, ...]]
ChangeResult = Workspace | InputProblem | StorageQuotaProblem | AuthProblem | NotFound


def can_use(principal: Principal, workspace: Workspace) -> bool:
    """The rule executions follow (`executions.ownership`), without anonymous ownership:
    a workspace always has an owner."""
    return principal.is_admin or workspace.owner_id == principal.user_id


def not_found(workspace_id: str) -> NotFound:
    return NotFound(f"no workspace with id {workspace_id!r}", workspace_id)


class Workspaces:
    def __init__(
        self,
        workspaces: WorkspaceRepository,
        blobs: BlobStore,
        *,
        quota_bytes: int = DEFAULT_STORAGE_QUOTA_BYTES,
    ) -> None:
        self._workspaces = workspaces
        self._blobs = blobs
        self._quota_bytes = quota_bytes

    @property
    def quota_bytes(self) -> int:
        """Each user's storage quota, for all of their workspaces together."""
        return self._quota_bytes

    async def get(self, principal: Principal, workspace_id: str) -> Workspace | None:
        workspace = await self._workspaces.get(workspace_id)
        return workspace if workspace is not None and can_use(principal, workspace) else None

    async def by_name(self, principal: Principal, name: str) -> Workspace | None:
        """The caller's own workspace of that name."""
        if principal.user_id is None:
            return None
        return await self._workspaces.by_name(principal.user_id, name)

    async def of_caller(self, principal: Principal) -> list[Workspace]:
        if principal.user_id is None:
            return []
        return await self._workspaces.of_owner(principal.user_id)

    async def create(
        self, principal: Principal, name: str
    ) -> Workspace | InputProblem | AuthProblem:
        if principal.user_id is None:
            return unauthenticated()
        problem = name_problem(name)
        if problem is not None:
            return InputProblem(f"name {problem}", "name")
        now = utcnow()
        workspace = Workspace(
            id=uuid.uuid4().hex,
            owner_id=principal.user_id,
            name=name,
            created_at=now,
            updated_at=now,
        )
        try:
            return await self._workspaces.create(workspace)
        except WorkspaceNameTaken:
            return InputProblem(f"you already have a workspace named {name!r}", "name")

    async def delete(self, principal: Principal, workspace_id: str) -> bool | AuthProblem:
        """Remove the workspace and its contents; False when there is none to remove."""
        if principal.user_id is None:
            return unauthenticated()
        if await self.get(principal, workspace_id) is None:
            return False
        gone = await self._workspaces.delete(workspace_id)
        if gone is None:
            return False
        await self._forget(file.blob_id for file in gone.files)
        return True

    async def read(self, principal: Principal, workspace_id: str, path: str) -> bytes | None:
        """One file's bytes, None when the caller has no such workspace or file."""
        workspace = await self.get(principal, workspace_id)
        if workspace is None:
            return None
        for file in workspace.files:
            if file.path == path:
                return await self._blobs.get(file.blob_id)
        return None

    async def download(
        self, principal: Principal, workspace_id: str, blob_id: str
    ) -> tuple[StoredFile, bytes] | None:
        """A file by its blob (its URL names the blob: a changed file gets a new one), with
        its bytes; None when the caller has no such workspace, or it no such file."""
        workspace = await self.get(principal, workspace_id)
        if workspace is None:
            return None
        file = next((f for f in workspace.files if f.blob_id == blob_id), None)
        data = None if file is None else await self._blobs.get(file.blob_id)
        return None if file is None or data is None else (file, data)

    async def contents(self, workspace: Workspace) -> tuple[FileContent, ...] | str:
        """All of its files' bytes (what a run on it starts with), or why they cannot be had."""
        loaded = []
        for file in workspace.files:
            data = await self._blobs.get(file.blob_id)
            if data is None:
                return f"the workspace file {file.path!r} is missing from the file store"
            loaded.append(FileContent(file.path, data))
        return tuple(loaded)

    async def write_files(
        self, principal: Principal, workspace_id: str, files: Sequence[FileContent]
    ) -> ChangeResult:
        """Add or replace `files` (by path); the others stay."""
        if principal.user_id is None:
            return unauthenticated()
        problem = check_writes(files)
        if problem is not None:
            return InputProblem(problem.message, problem.field)
        workspace = await self.get(principal, workspace_id)
        if workspace is None:
            return not_found(workspace_id)
        stored = await self._store(workspace.id, files)
        result = await self._change(workspace, lambda current: with_files(current, stored))
        if not isinstance(result, Workspace):
            await self._forget(file.blob_id for file in stored)
        return result

    async def delete_files(
        self,
        principal: Principal,
        workspace_id: str,
        *,
        paths: Sequence[str] = (),
        prefixes: Sequence[str] = (),
    ) -> ChangeResult:
        """Remove files by path, and every file whose path starts with one of `prefixes`
        (`"data/"` empties a directory); paths it does not hold are no error."""
        if principal.user_id is None:
            return unauthenticated()
        if any(not prefix for prefix in prefixes):
            return InputProblem("a prefix must not be empty (delete the workspace)", "prefixes")
        workspace = await self.get(principal, workspace_id)
        if workspace is None:
            return not_found(workspace_id)
        return await self._change(
            workspace, lambda current: without_files(current, paths=paths, prefixes=prefixes)
        )

    async def apply_run(
        self, workspace_id: str, *, changed: Sequence[FileContent], deleted: Sequence[str]
    ) -> Workspace | InputProblem | StorageQuotaProblem | NotFound:
        """What a run did to its `/work`, applied to the workspace as it is now: `changed`
        files written, `deleted` paths removed, the rest as it is (a write the owner made
        during the run stays, unless the run changed the same path: the run's is newer).
        No principal: the run was allowed to use it when it was submitted."""
        workspace = await self._workspaces.get(workspace_id)
        if workspace is None:
            return not_found(workspace_id)
        stored = await self._store(workspace.id, changed)
        result = await self._change(
            workspace,
            lambda current: without_files(with_files(current, stored), paths=deleted),
        )
        if not isinstance(result, Workspace):
            await self._forget(file.blob_id for file in stored)
        return result

    async def _change(
        self, workspace: Workspace, change: Change
    ) -> Workspace | InputProblem | StorageQuotaProblem | NotFound:
        """Switch `workspace` to `change(its manifest)`; when another change landed first,
        rebuild on the newest manifest."""
        current = workspace
        for _attempt in range(MAX_SWITCH_ATTEMPTS):
            files = change(current.files)
            problem = manifest_problem(files)
            if problem is not None:
                return InputProblem(problem, "files")
            refused = await self._over_quota(current, files)
            if refused is not None:
                return refused
            switched = await self._workspaces.switch(
                current.id, version=current.version, files=files, at=utcnow()
            )
            if switched is not None:
                referenced = {file.blob_id for file in switched.files}
                await self._forget(
                    file.blob_id for file in current.files if file.blob_id not in referenced
                )
                return switched
            fresh = await self._workspaces.get(current.id)
            if fresh is None:
                return not_found(current.id)
            current = fresh
        return InputProblem("the workspace kept changing; try again", None)

    async def _over_quota(
        self, workspace: Workspace, files: tuple[StoredFile, ...]
    ) -> StorageQuotaProblem | None:
        new_size = sum(file.size for file in files)
        if new_size <= workspace.size_bytes:
            return None  # shrinking (or not growing) is always allowed
        owned = await self._workspaces.of_owner(workspace.owner_id)
        use = StorageUse(sum(w.size_bytes for w in owned), self._quota_bytes)
        after = use.after(workspace.size_bytes, new_size)
        if after <= self._quota_bytes:
            return None
        return StorageQuotaProblem(
            f"this would store {after} bytes in your workspaces, over the quota of "
            f"{self._quota_bytes} bytes; delete files or workspaces first",
            used_bytes=use.used_bytes,
            quota_bytes=self._quota_bytes,
        )

    async def _store(
        self, workspace_id: str, files: Sequence[FileContent]
    ) -> tuple[StoredFile, ...]:
        stored = []
        for file in files:
            blob_id = await self._blobs.put(
                file.data,
                filename=file.path,
                metadata={"workspace_id": workspace_id, "role": "workspace"},
            )
            stored.append(
                StoredFile(
                    path=file.path,
                    size=len(file.data),
                    sha256=hashlib.sha256(file.data).hexdigest(),
                    content_type=content_type_of(file.path),
                    blob_id=blob_id,
                )
            )
        return tuple(stored)

    async def _forget(self, blob_ids: Iterable[str]) -> None:
        for blob_id in blob_ids:
            await self._blobs.delete(blob_id)
