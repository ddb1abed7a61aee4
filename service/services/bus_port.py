"""Live notification of new events and of cancellation requests.

Only a hint: subscribers re-read the event log by seq whenever a notification does not line
up, so a lost or duplicated notification can delay delivery but never loses or repeats an
event.
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


class EventBus(Protocol):
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

    def recent_execution(self, execution_id: str) -> Execution | None:
        """The execution as `announce_queued` announced it in this process, while the bus
        remembers it, else None. Its status may be stale; its id and owner never change, so
        it answers who may see it without reading the store."""
        ...

    def listen(
        self, execution_id: str, after_seq: int | None = None
    ) -> AbstractAsyncContextManager[LiveFeed]:
        """Events published for one execution from now on, in publish order. With
        `after_seq`, preceded by the remembered events after it when the bus remembers all of
        them (the feed is then `primed`)."""
        ...

    def on_cancel_requested(self, callback: Callable[[str], None]) -> None:
        """Call back (in this process) when cancellation of an execution is requested."""
        ...

    def request_cancel(self, execution_id: str) -> None: ...

    def on_queued(self, callback: Callable[[Execution | None], None]) -> None:
        """Call back when work may be waiting (a submit here or in another process)."""
        ...

    def announce_queued(self, execution: Execution | None = None) -> None:
        """Work may be waiting; `execution` when it was just submitted in this process (a
        worker here can then claim it without looking for it)."""
        ...

    def remember(self, execution: Execution) -> None:
        """`execution` was just submitted in this process and is already taken by a worker
        here: remember it as `announce_queued` would (for `recent_execution`), without
        telling any worker."""
        ...

    def on_input(self, callback: Callable[[str], None]) -> None:
        """Call back when input for an execution was stored (here or in another process)."""
        ...

    def announce_input(self, execution_id: str) -> None: ...
