"""What one status write changes: a typed record, checked against the status machine.

Every status write in Podrun is one `Transition`, applied by the store as one guarded write
(`ExecutionRepository.apply`): the record must still show `source` (and, when the writer
owns the execution, its worker id), so a late, duplicate or fenced-out writer changes
nothing. Services build transitions here and never name store columns; the store adapter
maps a transition to its columns in one place (`service/adapters/store/transitions.py`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from service.domain.events import ExecutionEvent
from service.domain.files import SkippedFile, StoredFile
from service.domain.sandboxes import ResourceUsage
from service.domain.statuses import ExecutionStatus, ensure_transition

# Output up to this size (UTF-8, both streams) is kept in the execution's record too, which
# answers `stdout`/`stderr` with one read; larger output is read from the log. A record is at
# most 16 MiB (the store's document limit) and the largest output cap a server may advertise
# is not smaller: the record cannot hold all of it.
INLINE_OUTPUT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExecutionOutput:
    """Everything a script printed, as a terminal write keeps it."""

    stdout: str
    stderr: str

    @property
    def fits_record(self) -> bool:
        """Small enough to keep in the record; otherwise readers take it from the log."""
        return len(self.stdout.encode()) + len(self.stderr.encode()) <= INLINE_OUTPUT_BYTES

    @property
    def kept(self) -> ExecutionOutput:
        """The output the record keeps: all of it, or nothing when it lives in the log."""
        return self if self.fits_record else ExecutionOutput("", "")


@dataclass(frozen=True, slots=True)
class ExecutionFiles:
    """The files a run left, as its terminal write keeps them."""

    output_files: tuple[StoredFile, ...] = ()
    skipped_files: tuple[SkippedFile, ...] = ()
    # A workspace run: whether its workspace took what it left (None: no workspace).
    workspace_updated: bool | None = None
    workspace_message: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """One status write: from `source` (the status the writer last saw) to `target`.

    `via` is a status passed through in the same write: a sandbox that starts and ends
    before RUNNING was written goes SCHEDULED -> RUNNING -> verdict in one step. `seq` is the
    last seq the record claims afterwards (None: one more than it claimed before). The
    optional fields are written only when set; `carried` are events delivered before the
    log holds them, kept in the record so that a crash cannot lose them (see `repairing`).
    """

    source: ExecutionStatus
    target: ExecutionStatus
    seq: int | None = None
    via: ExecutionStatus | None = None
    worker_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    error_message: str | None = None
    output: ExecutionOutput | None = None
    output_truncated: bool | None = None
    usage: ResourceUsage | None = None
    carried: tuple[ExecutionEvent, ...] = ()
    files: ExecutionFiles | None = None

    def __post_init__(self) -> None:
        steps = [self.source, *([self.via] if self.via else []), self.target]
        for current, target in itertools.pairwise(steps):
            ensure_transition(current, target)
        if self.target.is_terminal and self.finished_at is None:
            raise ValueError(f"a write to {self.target} must say when it finished")
        if not self.target.is_terminal and (
            self.finished_at or self.exit_code is not None or self.error_message is not None
        ):
            raise ValueError(f"{self.target} is not an end: it has no finish, exit code or error")

    @property
    def expected(self) -> frozenset[ExecutionStatus]:
        """The statuses the record must show for the write to apply."""
        return frozenset({self.source})
