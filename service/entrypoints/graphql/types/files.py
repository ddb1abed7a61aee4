"""`File` and `SkippedFile`: files given to or left by a run (the domain's records are in
:mod:`service.domain.files`); downloaded over HTTP from `url`
(:mod:`service.entrypoints.http.files`)."""

from __future__ import annotations

import strawberry

from service.domain.files import SkippedFile, StoredFile


def file_url(execution_id: str, file: StoredFile) -> str:
    """Where the file downloads: the API's own credentials are needed (the owner or an
    admin), never a capability URL."""
    return f"/executions/{execution_id}/files/{file.blob_id}"


def workspace_file_url(workspace_id: str, file: StoredFile) -> str:
    """A workspace file's, by its blob: a changed file gets a new URL (no stale cache)."""
    return f"/workspaces/{workspace_id}/files/{file.blob_id}"


@strawberry.type(name="File", description="A file kept by the server.")
class FileType:
    path: str = strawberry.field(description="Relative to /work.")
    size: int
    sha256: str
    content_type: str
    url: str = strawberry.field(
        description="GET it with the same Authorization as the API (Range requests work)."
    )

    @classmethod
    def from_domain(cls, execution_id: str, file: StoredFile) -> FileType:
        return cls.at(file_url(execution_id, file), file)

    @classmethod
    def of_workspace(cls, workspace_id: str, file: StoredFile) -> FileType:
        return cls.at(workspace_file_url(workspace_id, file), file)

    @classmethod
    def at(cls, url: str, file: StoredFile) -> FileType:
        return cls(
            path=file.path,
            size=file.size,
            sha256=file.sha256,
            content_type=file.content_type,
            url=url,
        )


@strawberry.type(name="SkippedFile", description="A file the run left that was not kept.")
class SkippedFileType:
    path: str
    reason: str

    @classmethod
    def from_domain(cls, file: SkippedFile) -> SkippedFileType:
        return cls(path=file.path, reason=file.reason)
