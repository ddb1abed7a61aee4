"""The execution event log: status transitions, output chunks and displays, numbered by `seq`.

Per execution, `seq` starts at 1 and grows by one with no gaps; the first event is QUEUED and
the last is the terminal status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.domain.files import StoredFile
from service.domain.sandboxes import OutputStream
from service.domain.statuses import ExecutionStatus


@dataclass(frozen=True, slots=True)
class StatusEvent:
    execution_id: str
    seq: int
    at: datetime
    status: ExecutionStatus
    exit_code: int | None = None
    message: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal


@dataclass(frozen=True, slots=True)
class OutputEvent:
    execution_id: str
    seq: int
    at: datetime
    stream: OutputStream
    data: str

    @property
    def is_terminal(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class DisplayEvent:
    """The script displayed something (`service.domain.display`): `data` is UTF-8 text for
    textual MIME types, base64 for the others."""

    execution_id: str
    seq: int
    at: datetime
    mime_type: str
    data: str
    # An image is also kept as an output file (None for other types, or without a store).
    file: StoredFile | None = None

    @property
    def is_terminal(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class FileEvent:
    """A file the script left was stored; all of a run's come before its terminal event."""

    execution_id: str
    seq: int
    at: datetime
    file: StoredFile

    @property
    def is_terminal(self) -> bool:
        return False


ExecutionEvent = StatusEvent | OutputEvent | DisplayEvent | FileEvent
