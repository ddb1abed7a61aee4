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


class EventBus(Protocol):
    def publish(self, event: ExecutionEvent) -> None:
        """Tell local subscribers about an event that is already stored."""
        ...

    def publish_ahead(self, event: ExecutionEvent) -> None:
        """Tell local subscribers about an event that is not stored yet (write-behind). The
        bus keeps it for listeners that arrive before `settled` releases it."""
        ...

    def settled(self, execution_id: str, seq: int) -> None:
        """Events of `execution_id` up to `seq` need no keeping: the log holds them, or the
        run ended without storing them and never will."""
        ...

    def listen(self, execution_id: str) -> AbstractAsyncContextManager[LiveFeed]:
        """Events published for one execution from now on, in publish order."""
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

    def on_input(self, callback: Callable[[str], None]) -> None:
        """Call back when input for an execution was stored (here or in another process)."""
        ...

    def announce_input(self, execution_id: str) -> None: ...
