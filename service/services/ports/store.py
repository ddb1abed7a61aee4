"""What the use cases need from storage, as protocols the store adapter implements.

Invariants the implementation must keep:
- Every status write is one guarded `Transition` (`service.domain.transitions`): it applies
  only while the record shows its source status, so a duplicate or late observation cannot
  regress an execution.
- Events are unique per (execution_id, seq); appending an existing seq is a no-op that
  returns False, which makes every writer idempotent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from service.domain.events import ExecutionEvent
from service.domain.executions import Execution
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; `cursors[i]` names `items[i]`."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


ExecutionPage = Page[Execution]


class InvalidCursor(ValueError):
    """A pagination cursor that this server did not issue."""


class StoreUnavailable(RuntimeError):
    """The store cannot be reached right now (down, restarting, unreachable): nothing was
    decided, and the same call may succeed once it is back. A write that failed this way
    may or may not have been applied."""


@dataclass(frozen=True, slots=True)
class ExecutionFilter:
    """Which executions a page holds: the criteria a caller asks for, plus the owner scope
    the use case adds (`owner_id` None means any owner unless `anonymous_only`)."""

    statuses: Collection[ExecutionStatus] | None = None
    runtime: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    owner_id: str | None = None
    anonymous_only: bool = False


class ExecutionRepository(Protocol):
    async def create(self, execution: Execution) -> Execution | None:
        """Insert; None when the owner's idempotency key is already taken."""
        ...

    async def get(self, execution_id: str) -> Execution | None: ...

    async def get_by_idempotency_key(self, owner_id: str | None, key: str) -> Execution | None: ...

    async def page(self, *, first: int, after: str | None, where: ExecutionFilter) -> ExecutionPage:
        """Newest first; raises InvalidCursor for a cursor it did not issue."""
        ...

    async def count_active(self, owner_id: str | None) -> int:
        """QUEUED, SCHEDULED or RUNNING executions of this owner (None: anonymous ones)."""
        ...

    async def created_since(self, owner_id: str, since: datetime, limit: int) -> list[datetime]:
        """Creation times of this owner's executions after `since`, oldest first."""
        ...

    async def apply(self, execution_id: str, transition: Transition) -> bool:
        """Write `transition` if the record still shows its `source` (and belongs to its
        `worker_id`, when given), in one guarded write: True when it was written, False
        when the record moved on (another writer, a late or duplicate observation)."""
        ...

    async def apply_and_get(self, execution_id: str, transition: Transition) -> Execution | None:
        """`apply`, then the record as written; None when it was not written."""
        ...

    async def reassign(
        self, execution_id: str, *, from_worker: str | None, to_worker: str
    ) -> Execution | None:
        """Move a SCHEDULED or RUNNING execution from a (dead) worker to another one."""
        ...

    async def queued(self, limit: int) -> list[Execution]:
        """The oldest QUEUED executions (at most `limit`), oldest first."""
        ...

    async def claim(self, execution_id: str, worker_id: str, at: datetime) -> bool:
        """Atomically move one QUEUED execution to SCHEDULED for this worker; False when it
        is no longer QUEUED (another worker took it, or it was cancelled)."""
        ...

    async def request_cancel(self, execution_id: str) -> Execution | None:
        """Flag a non-terminal execution for cancellation; None when unknown."""
        ...

    async def cancel_requested_among(self, execution_ids: Collection[str]) -> set[str]: ...

    async def active_owned_by(self, worker_ids: Collection[str]) -> list[Execution]:
        """SCHEDULED or RUNNING executions whose worker is one of these."""
        ...

    async def active_worker_ids(self) -> set[str]:
        """Workers that own at least one SCHEDULED or RUNNING execution."""
        ...

    async def count_queued(self) -> int: ...


class EventLog(Protocol):
    async def append(self, event: ExecutionEvent) -> bool:
        """Store an event; False when its (execution_id, seq) already exists."""
        ...

    async def append_many(self, events: Sequence[ExecutionEvent]) -> None:
        """Store events in one write; any whose (execution_id, seq) exists is skipped."""
        ...

    async def after(self, execution_id: str, after_seq: int, limit: int) -> list[ExecutionEvent]:
        """Events with seq > after_seq in seq order."""
        ...

    async def last_seq(self, execution_id: str) -> int:
        """The highest stored seq, 0 when there is none."""
        ...

    async def output_of(self, execution_id: str) -> tuple[str, str]:
        """(stdout, stderr) as stored so far."""
        ...


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    id: str
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


class WorkerRegistry(Protocol):
    async def heartbeat(self, record: WorkerRecord) -> None: ...

    async def get(self, worker_ids: Collection[str]) -> list[WorkerRecord]: ...

    async def remove(self, worker_id: str) -> None: ...
