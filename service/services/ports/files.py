"""The blob store port: file contents kept durably, by id (GridFS in the store adapter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class BlobStore(Protocol):
    async def put(self, data: bytes, *, filename: str, metadata: Mapping[str, str]) -> str:
        """Store `data`; its id."""
        ...

    async def get(self, blob_id: str) -> bytes | None:
        """The blob's bytes, None when there is no such blob."""
        ...

    async def delete(self, blob_id: str) -> None:
        """Forget a blob (nothing when it is gone already)."""
        ...
