"""Whose turn it is: first in, first out within an owner; the owner running fewest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.domain.executions import Execution
from service.domain.limits import MINIMUMS
from service.domain.statuses import ExecutionStatus
from service.domain.turns import TurnQueue

START = datetime(2026, 1, 1, tzinfo=UTC)


def queued(name: str, ms: float, owner: str | None = None) -> Execution:
    return Execution(
        id=name,
        status=ExecutionStatus.QUEUED,
        runtime="python3",
        script="print(1)",
        limits=MINIMUMS,
        created_at=START + timedelta(milliseconds=ms),
        owner_id=owner,
    )


def next_id(queue: TurnQueue, running: dict[str | None, int]) -> str | None:
    execution = queue.next(running)
    return None if execution is None else execution.id


def order(queue: TurnQueue, running: dict[str | None, int] | None = None) -> list[str]:
    """Names in the order the queue hands them out, with `running` fixed."""
    taken = []
    while (execution := queue.next(running or {})) is not None:
        taken.append(execution.id)
        queue.remove(execution.id)
    return taken


def test_one_owner_is_served_oldest_first_whatever_the_order_they_were_learned() -> None:
    queue = TurnQueue()
    for execution in (queued("c", 3), queued("a", 1), queued("b", 2)):
        assert queue.add(execution)
    assert not queue.add(queued("a", 1))  # known already
    assert len(queue) == 3 and "a" in queue
    assert order(queue) == ["a", "b", "c"]
    assert len(queue) == 0


def test_within_a_millisecond_the_id_decides_as_in_the_store() -> None:
    queue = TurnQueue()
    # The store keeps milliseconds: 1.9 ms and 1.1 ms are the same instant there.
    queue.add(queued("y", 1.9))
    queue.add(queued("x", 1.1))
    assert order(queue) == ["x", "y"]


def test_the_owner_running_fewest_goes_first_then_the_oldest() -> None:
    queue = TurnQueue()
    for i in range(5):
        queue.add(queued(f"burst{i}", i, "busy"))
    queue.add(queued("single", 10, "other"))
    queue.add(queued("anonymous", 11))
    assert next_id(queue, {"busy": 2}) == "single"
    assert next_id(queue, {"busy": 2, "other": 2}) == "anonymous"
    # As many running each: the oldest waiting goes first.
    assert order(queue, {"busy": 1, "other": 1, None: 1}) == [
        *(f"burst{i}" for i in range(5)),
        "single",
        "anonymous",
    ]


def test_a_removed_execution_is_skipped_and_may_come_back() -> None:
    queue = TurnQueue()
    queue.add(queued("a", 1))
    queue.add(queued("b", 2))
    queue.remove("a")
    queue.remove("unknown")
    assert next_id(queue, {}) == "b"
    queue.add(queued("a", 1))
    assert order(queue) == ["a", "b"]
