"""The bus's memory of recent executions, so that a subscription can start without the store.

In a self-contained `podrun serve` this process publishes every event of the executions it
runs, and the embedded store costs about 2.4 ms of CPU per operation: the existence check and
the first read of the log that every subscription made can be answered from here instead.

Memory may only stand in for the log when it holds exactly what the log holds (or will hold:
write-behind events are published before they are stored). So an execution's events are kept
only while they run from seq 1 without a gap, and the whole record is forgotten whenever that
cannot be vouched for: a gap, two different events for one seq, a run that ended without
storing what it published, or a bound exceeded. Readers of a forgotten execution use the log,
as they would without this memory. (An unfinished execution that has been quiet for a while
is not forgotten, but not vouched for either: see QUIET_SECONDS.)
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from service.domain.events import DisplayEvent, ExecutionEvent, OutputEvent
from service.domain.executions import Execution

MAX_EXECUTIONS = 2048
# Per execution: beyond either, its subscribers read the log as they always did.
MAX_EVENTS = 512
MAX_OUTPUT_CHARS = 1 << 20
# Over all executions: 2048 executions at their per-execution bound would be gigabytes.
MAX_TOTAL_CHARS = 64 << 20
# An unfinished execution whose record has not grown for this long may be running where this
# process does not hear of it (another worker, a change stream that was down): a listener
# then reads the log first rather than wait for its poll (subscribers poll every second).
QUIET_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Remembered:
    """What memory vouches for after a given seq."""

    events: list[ExecutionEvent]  # every event after that seq, in seq order
    ended: bool  # the terminal event is at or before that seq: nothing follows


@dataclass(slots=True)
class _Record:
    # Contiguous from seq 1: events[i].seq == i + 1. Never empty.
    events: list[ExecutionEvent]
    # As submitted in this process (None when its events came from elsewhere). Its status goes
    # stale at once; its id and owner never change.
    execution: Execution | None = None
    output_chars: int = 0
    # Also counts the script and stdin of `execution`.
    chars: int = 0
    # The last seq published ahead of being stored, and the last one the log holds since.
    ahead_until: int = 0
    settled_until: int = 0
    grown_at: float = field(default_factory=time.monotonic)

    @property
    def last(self) -> ExecutionEvent:
        return self.events[-1]


class RecentExecutions:
    """A bounded, least-recently-used record per execution. Not thread-safe: used from the
    event loop only, like the bus."""

    def __init__(
        self,
        *,
        max_executions: int = MAX_EXECUTIONS,
        max_events: int = MAX_EVENTS,
        max_output_chars: int = MAX_OUTPUT_CHARS,
        max_total_chars: int = MAX_TOTAL_CHARS,
        quiet_seconds: float = QUIET_SECONDS,
    ) -> None:
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._max_executions = max_executions
        self._max_events = max_events
        self._max_output_chars = max_output_chars
        self._max_total_chars = max_total_chars
        self._quiet_seconds = quiet_seconds
        self._chars = 0

    def __len__(self) -> int:
        return len(self._records)

    def add(self, event: ExecutionEvent, *, ahead: bool) -> None:
        """Remember a published event (`ahead`: not stored yet)."""
        record = self._records.get(event.execution_id)
        if record is None:
            # Only seq 1 can start a record: anything later may follow events never seen here.
            if event.seq == 1:
                record = self._records[event.execution_id] = _Record([])
                self._append(record, event, ahead=ahead)
                self._fit(event.execution_id, record)
            return
        last = record.last.seq
        if event.seq <= last:
            # The same event again (a change-stream echo of one published here) is no news;
            # a different one means the log may not hold what memory does.
            known = record.events[event.seq - 1] if event.seq >= 1 else None
            if known is not event and known != event:
                self.forget(event.execution_id)
            return
        if event.seq != last + 1:
            self.forget(event.execution_id)  # a gap: the missing events were not seen here
            return
        self._append(record, event, ahead=ahead)
        self._fit(event.execution_id, record)

    def announce(self, execution: Execution) -> None:
        """Attach the execution as just submitted here to its record (made by its first
        event, which the submitter publishes first)."""
        record = self._records.get(execution.id)
        if record is None or record.execution is not None:
            return
        record.execution = execution
        size = len(execution.script) + len(execution.stdin or "")
        record.chars += size
        self._chars += size
        self._fit(execution.id, record)

    def settled(self, execution_id: str, seq: int) -> None:
        """The log now holds the events published ahead up to `seq`."""
        record = self._records.get(execution_id)
        if record is not None:
            record.settled_until = max(record.settled_until, seq)

    def run_ended(self, execution_id: str) -> None:
        """The run publishing ahead is over. Memory is still the log's equal only if that run
        stored everything it published, up to a terminal event: a run that ended otherwise
        (ownership lost to another worker, a fault) may have published events the log will
        never hold, or holds differently."""
        record = self._records.get(execution_id)
        if record is None:
            return
        if record.ahead_until > record.settled_until or not record.last.is_terminal:
            self.forget(execution_id)

    def execution(self, execution_id: str) -> Execution | None:
        record = self._records.get(execution_id)
        if record is None:
            return None
        self._records.move_to_end(execution_id)
        return record.execution

    def after(self, execution_id: str, seq: int) -> Remembered | None:
        """Every event after `seq`, when memory holds them all (as far as this process heard:
        a quiet unfinished one may have moved on elsewhere); else None."""
        record = self._records.get(execution_id)
        if record is None:
            return None
        self._records.move_to_end(execution_id)
        if record.last.is_terminal:
            if record.last.seq <= seq:
                return Remembered([], ended=True)
        elif time.monotonic() - record.grown_at > self._quiet_seconds:
            return None
        return Remembered(record.events[max(0, seq) :], ended=False)

    def forget(self, execution_id: str) -> None:
        record = self._records.pop(execution_id, None)
        if record is not None:
            self._chars -= record.chars

    def _append(self, record: _Record, event: ExecutionEvent, *, ahead: bool) -> None:
        record.events.append(event)
        record.grown_at = time.monotonic()
        if ahead:
            record.ahead_until = event.seq
        if isinstance(event, OutputEvent | DisplayEvent):
            record.output_chars += len(event.data)
            record.chars += len(event.data)
            self._chars += len(event.data)

    def _fit(self, execution_id: str, record: _Record) -> None:
        """Keep `record` (just grown) as the most recent, within every bound."""
        if len(record.events) > self._max_events or record.output_chars > self._max_output_chars:
            self.forget(execution_id)
            return
        self._records.move_to_end(execution_id)
        while self._records and (
            len(self._records) > self._max_executions or self._chars > self._max_total_chars
        ):
            _, evicted = self._records.popitem(last=False)
            self._chars -= evicted.chars
