"""The bus: what the processes of one Podrun tell each other, as three narrow roles.

- `EventFeed`: events of an execution, delivered live to subscribers (`listen`), published
  once durable (`publish`) or once a record write implies them (`publish_ahead`).
- `ExecutionMemory`: executions submitted in this process, remembered briefly, so that a
  subscription can start without reading the store.
- `WorkSignals`: wake-ups for workers and relays: work queued, a cancel requested, input
  stored.

Only a hint: subscribers re-read the event log by seq whenever a notification does not line
up, so a lost or duplicated notification can delay delivery but never loses or repeats an
event. How the feed, the log and the record together keep "durable before delivered" is told
once, in docs/architecture.md. One process's bus is :mod:`service.adapters.bus.local`; other
processes' events and signals reach it through :mod:`service.adapters.bus.changestreams`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from service.domain.events import ExecutionEvent
from service.domain.executions import Execution


class LiveFeed(Protocol):
    async def next(self, timeout: float) -> ExecutionEvent | None:
        """The next published event, or None after `timeout` seconds (or once the feed was
        dropped for lagging, after which the reader relies on the log)."""
        ...

    @property
    def primed(self) -> bool:
        """The feed starts with every event after the `after_seq` given to `listen`, in seq
        order from after_seq + 1, followed by those published later: the reader need not
        read the log first. (It still goes to the log on a gap, as for any feed.)"""
        ...

    @property
    def ended(self) -> bool:
        """Primed, and the terminal event is at or before `after_seq`: nothing will follow."""
        ...


class EventFeed(Protocol):
    """Live delivery of an execution's events to the subscribers of this process."""

    def publish(self, event: ExecutionEvent) -> None:
        """Tell local subscribers about an event that is already stored."""
        ...

    def publish_ahead(self, event: ExecutionEvent) -> None:
        """Tell local subscribers about an event that is not stored yet (write-behind). The
        bus keeps it for listeners that arrive before it is settled or its run ends."""
        ...

    def settled(self, execution_id: str, seq: int) -> None:
        """The log now holds the events of `execution_id` published ahead up to `seq`."""
        ...

    def run_ended(self, execution_id: str) -> None:
        """The run that published ahead for `execution_id` is over, however it ended. What it
        published ahead and did not settle will never be stored; and unless it ended by
        storing its own terminal event, it may have lost the execution to another worker, so
        what it published may not be what the log holds: the bus must not hand any of it to
        listeners that arrive from now on."""
        ...

    def listen(
        self, execution_id: str, after_seq: int | None = None
    ) -> AbstractAsyncContextManager[LiveFeed]:
        """Events published for one execution from now on, in publish order. With
        `after_seq`, preceded by the remembered events after it when the bus remembers all of
        them (the feed is then `primed`)."""
        ...


class ExecutionMemory(Protocol):
    """Executions submitted in this process, for subscriptions that start right after."""

    def recent_execution(self, execution_id: str) -> Execution | None:
        """The execution as `announce_queued` announced it in this process, while the bus
        remembers it, else None. Its status may be stale; its id and owner never change, so
        it answers who may see it without reading the store."""
        ...

    def remember(self, execution: Execution) -> None:
        """`execution` was just submitted in this process and is already taken by a worker
        here: remember it as `WorkSignals.announce_queued` would (for `recent_execution`),
        without telling any worker."""
        ...


class WorkSignals(Protocol):
    """Wake-ups, in this process and across processes: each says only "look again"."""

    def on_cancel_requested(self, callback: Callable[[str], None]) -> None:
        """Call back (in this process) when cancellation of an execution is requested."""
        ...

    def request_cancel(self, execution_id: str) -> None: ...

    def on_queued(self, callback: Callable[[Execution | None], None]) -> None:
        """Call back when work may be waiting (a submit here or in another process)."""
        ...

    def announce_queued(self, execution: Execution | None = None) -> None:
        """Work may be waiting; `execution` when it was just submitted in this process (a
        worker here can then claim it without looking for it; it is also remembered, as
        `ExecutionMemory.remember` does)."""
        ...

    def on_input(self, callback: Callable[[str], None]) -> None:
        """Call back when input for an execution was stored (here or in another process)."""
        ...

    def announce_input(self, execution_id: str) -> None: ...


class EventBus(EventFeed, ExecutionMemory, WorkSignals, Protocol):
    """All three roles, as one process's bus implements them."""
