"""The stdin log collection (`execution_inputs`): input for running scripts, in seq order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pymongo
from pymongo.errors import DuplicateKeyError

from service.adapters.store.documents import ExecutionInputDocument
from service.adapters.store.mapping import record_from_dict, record_to_dict
from service.adapters.store.outages import translates_outages
from service.domain.inputs import StdinChunk

# Concurrent senders to one execution take seqs in turn; each lost race costs one retry.
_MAX_ATTEMPTS = 100


class InputLogContended(RuntimeError):
    """Too many concurrent senders to one execution; the caller may retry."""


@translates_outages
class MongoInputLog:
    """InputLog over `execution_inputs`.

    A seq is taken optimistically (last + 1) and the unique (execution_id, seq) index decides
    races: the loser re-reads and tries the next seq. A seq therefore exists only once its
    piece is stored, so the log has no gaps a reader would have to wait out, and a piece
    carrying `eof` is always the last one.
    """

    def __init__(self) -> None:
        self._collection = ExecutionInputDocument.get_pymongo_collection()

    async def append(
        self, execution_id: str, data: str, *, eof: bool, at: datetime
    ) -> StdinChunk | None:
        for _ in range(_MAX_ATTEMPTS):
            last = await self._collection.find_one(
                {"execution_id": execution_id},
                {"seq": 1, "eof": 1},
                sort=[("seq", pymongo.DESCENDING)],
            )
            if last is not None and last.get("eof"):
                return None
            seq = int(last["seq"]) + 1 if last is not None else 1
            chunk = StdinChunk(execution_id, seq, data, eof, at)
            try:
                await self._collection.insert_one(_to_dict(chunk))
            except DuplicateKeyError:
                continue
            return chunk
        raise InputLogContended(f"too many concurrent senders to execution {execution_id}")

    async def after(self, execution_id: str, after_seq: int, limit: int) -> list[StdinChunk]:
        cursor = (
            self._collection.find({"execution_id": execution_id, "seq": {"$gt": after_seq}})
            .sort("seq", pymongo.ASCENDING)
            .limit(limit)
        )
        return [_from_dict(raw) async for raw in cursor]


def _to_dict(chunk: StdinChunk) -> dict[str, Any]:
    return record_to_dict(chunk)


def _from_dict(raw: Mapping[str, Any]) -> StdinChunk:
    return record_from_dict(StdinChunk, raw)
