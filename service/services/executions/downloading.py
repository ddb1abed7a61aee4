"""Downloading a file of an execution: exactly the execution's ownership rules
(:mod:`service.services.executions.ownership`), so a file is never easier to reach than the
execution itself, and a refusal reads as "no such file".

The HTTP entrypoint (:mod:`service.entrypoints.http.files`) answers with the bytes, their
name and type, and byte ranges of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.accounts import Principal
from service.domain.files import StoredFile
from service.services.executions.ownership import can_see
from service.services.files.keeping import FileKeeper
from service.services.ports.store import ExecutionRepository
from service.services.problems import NotFound


@dataclass(frozen=True, slots=True)
class Download:
    file: StoredFile
    data: bytes


class FileDownloads:
    def __init__(self, *, executions: ExecutionRepository, files: FileKeeper) -> None:
        self._executions = executions
        self._files = files

    async def get(
        self, execution_id: str, blob_id: str, principal: Principal
    ) -> Download | NotFound:
        missing = NotFound(f"no file {blob_id!r} of execution {execution_id!r}", execution_id)
        execution = await self._executions.get(execution_id)
        if execution is None or not can_see(principal, execution):
            return missing
        file = next(
            (f for f in (*execution.input_files, *execution.output_files) if f.blob_id == blob_id),
            None,
        )
        if file is None:
            return missing
        data = await self._files.read(file)
        return missing if data is None else Download(file, data)
