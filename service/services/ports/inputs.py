"""What sending input to a script needs from storage: an ordered, gap-free log per execution.

The log is the truth; bus notifications (`EventBus.announce_input`) only wake the worker
sooner. The worker re-reads the log by `seq`, so a lost notification delays input, never
loses or repeats it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from service.domain.inputs import StdinChunk


class InputLog(Protocol):
    async def append(
        self, execution_id: str, data: str, *, eof: bool, at: datetime
    ) -> StdinChunk | None:
        """Store `data` as the execution's next piece of input (seq = last + 1, assigned
        atomically against concurrent senders). None when stdin is already closed: an earlier
        piece carried `eof`."""
        ...

    async def after(self, execution_id: str, after_seq: int, limit: int) -> list[StdinChunk]:
        """Pieces with seq > after_seq, in seq order."""
        ...
