"""Whose turn it is: the order in which queued executions get a worker's free slots.

Within one owner, first in, first out by creation: `created_at` (to the millisecond, as the
store keeps it) and then the id, so that every process sorts the same executions the same
way. Between owners, the next slot goes to the owner with the fewest executions running on
the worker, and among owners running as many, to the one whose oldest waiting execution is
the oldest: a burst from one owner takes turns with everyone else's work instead of holding
it back. Anonymous callers share one owner (`None`), as they share one quota.

There are no priorities yet; a priority would come first in `Place`.

The dispatcher keeps its queued executions in a `TurnQueue`:
:mod:`service.services.worker.dispatching`.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from service.domain.executions import Execution


class Place(NamedTuple):
    """Where an execution stands in its owner's line: earlier places go first."""

    created_at: datetime
    id: str

    @classmethod
    def of(cls, execution: Execution) -> Place:
        created = execution.created_at
        return cls(created.replace(microsecond=created.microsecond // 1000 * 1000), execution.id)


class TurnQueue:
    """Queued executions, one line per owner; `next` says whose turn it is."""

    def __init__(self) -> None:
        self._waiting: dict[str, Execution] = {}
        # One heap of places per owner. A removed execution's place stays in its heap until
        # it reaches the top (`_head` drops it then): removal costs nothing up front.
        self._lines: dict[str | None, list[Place]] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, execution_id: object) -> bool:
        return execution_id in self._waiting

    def add(self, execution: Execution) -> bool:
        """Queue `execution`; False when it is queued already."""
        if execution.id in self._waiting:
            return False
        self._waiting[execution.id] = execution
        heapq.heappush(self._lines.setdefault(execution.owner_id, []), Place.of(execution))
        return True

    def remove(self, execution_id: str) -> None:
        self._waiting.pop(execution_id, None)

    def next(self, running: Mapping[str | None, int]) -> Execution | None:
        """The execution whose turn it is, given how many each owner has `running`; it stays
        queued until removed."""
        best: tuple[int, Place] | None = None
        for owner in list(self._lines):
            head = self._head(owner)
            if head is None:
                continue
            rank = (running.get(owner, 0), head)
            if best is None or rank < best:
                best = rank
        return None if best is None else self._waiting[best[1].id]

    def _head(self, owner: str | None) -> Place | None:
        line = self._lines[owner]
        while line and line[0].id not in self._waiting:
            heapq.heappop(line)
        if not line:
            del self._lines[owner]
            return None
        return line[0]
