"""Keeping the files of runs: inputs stored when a run is submitted, loaded when it
launches; outputs stored when it ends (all but those it left as they were given).

Contents live in the blob store (`BlobStore`, GridFS); records keep only `StoredFile`s
(path, size, sha256, content type, blob id). Next: the worker hands the loaded inputs to
the sandbox (:mod:`service.services.worker.observing`), which unpacks them inside it.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.domain.files import FileContent, StoredFile
from service.services.ports.files import BlobStore

_DEFAULT_TYPE = "application/octet-stream"
_TEXT_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})


def content_type_of(path: str) -> str:
    """What a download says the file is: by its name (`.png` → image/png), text with a
    charset, else octet-stream (never sniffed from the content, which the script chose)."""
    guessed, encoding = mimetypes.guess_type(path, strict=False)
    if guessed is None or encoding is not None:
        return _DEFAULT_TYPE
    if guessed.startswith("text/") or guessed in _TEXT_TYPES:
        return f"{guessed}; charset=utf-8"
    return guessed


@dataclass(frozen=True, slots=True)
class FileTransfer:
    """Bytes and files moved, for metrics."""

    files: int
    bytes: int


class FileKeeper:
    """Stores and loads the files of executions."""

    def __init__(self, *, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def store(
        self, execution_id: str, files: Iterable[FileContent], *, role: str
    ) -> tuple[StoredFile, ...]:
        stored = []
        for file in files:
            blob_id = await self._blobs.put(
                file.data,
                filename=file.path,
                metadata={"execution_id": execution_id, "role": role},
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

    async def load(self, files: Sequence[StoredFile]) -> tuple[FileContent, ...] | str:
        """The contents of `files`, or why they cannot be had (a blob is gone)."""
        loaded = []
        for file in files:
            data = await self._blobs.get(file.blob_id)
            if data is None:
                return f"the input file {file.path!r} is missing from the file store"
            loaded.append(FileContent(file.path, data))
        return tuple(loaded)

    async def store_outputs(
        self, execution_id: str, left: Sequence[FileContent], inputs: Sequence[StoredFile]
    ) -> tuple[StoredFile, ...]:
        """Store what a run left, but the inputs it left unchanged (same path, same hash)."""
        given = {(f.path, f.sha256) for f in inputs}
        changed = [f for f in left if (f.path, hashlib.sha256(f.data).hexdigest()) not in given]
        return await self.store(execution_id, changed, role="output")

    async def read(self, file: StoredFile) -> bytes | None:
        return await self._blobs.get(file.blob_id)

    async def forget(self, files: Iterable[StoredFile]) -> None:
        for file in files:
            await self._blobs.delete(file.blob_id)
