"""File contents in GridFS, in the same store as everything else (`BlobStore`).

GridFS splits a blob into 255 KiB chunks, so a file is not bound by the 16 MiB document
limit, and production needs no new component (the embedded store takes 5 MiB in ~140 ms,
back in ~40 ms, here).
"""

from __future__ import annotations

from collections.abc import Mapping

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import AsyncGridFSBucket, NoFile
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "files"


class GridFsBlobStore:
    """Blobs in the `files` GridFS bucket (implements `BlobStore`)."""

    def __init__(self, database: AsyncDatabase[dict[str, object]]) -> None:
        self._bucket = AsyncGridFSBucket(database, bucket_name=BUCKET)

    async def put(self, data: bytes, *, filename: str, metadata: Mapping[str, str]) -> str:
        blob_id = await self._bucket.upload_from_stream(filename, data, metadata=dict(metadata))
        return str(blob_id)

    async def get(self, blob_id: str) -> bytes | None:
        try:
            stream = await self._bucket.open_download_stream(ObjectId(blob_id))
        except (InvalidId, NoFile):
            return None
        return await stream.read()

    async def delete(self, blob_id: str) -> None:
        try:
            await self._bucket.delete(ObjectId(blob_id))
        except (InvalidId, NoFile):
            return
