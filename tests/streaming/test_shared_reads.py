"""Many streams asking the store the same question at once share reads, and none of them
gets an answer read before it asked."""

from __future__ import annotations

import asyncio

import pytest

from service.services.executions.sharing import SharedReads


class Log:
    """A value that changes, read slowly: each read says which version it saw."""

    def __init__(self) -> None:
        self.version = 0
        self.reads = 0
        self.failing_version: int | None = None

    async def read(self) -> int:
        self.reads += 1
        seen = self.version
        await asyncio.sleep(0.02)
        if seen == self.failing_version:
            raise RuntimeError("store down")
        return seen


async def test_a_burst_of_callers_costs_at_most_two_reads_and_none_gets_a_stale_answer() -> None:
    log, shared = Log(), SharedReads[str, int]()
    first = asyncio.create_task(shared.read("x", log.read))
    await asyncio.sleep(0.005)  # the first read is under way, having seen version 0
    log.version = 1  # ... and then the value changes: later callers must see it
    later = [asyncio.create_task(shared.read("x", log.read)) for _ in range(100)]
    assert await first == 0
    assert await asyncio.gather(*later) == [1] * 100
    assert log.reads == 2


async def test_different_keys_are_read_apart() -> None:
    log, shared = Log(), SharedReads[str, int]()
    await asyncio.gather(shared.read("a", log.read), shared.read("b", log.read))
    assert log.reads == 2


async def test_a_failed_read_fails_only_those_who_shared_it() -> None:
    log, shared = Log(), SharedReads[str, int]()
    first = asyncio.create_task(shared.read("x", log.read))
    await asyncio.sleep(0.005)
    log.version, log.failing_version = 1, 1  # the read the waiters share fails
    waiter = asyncio.create_task(shared.read("x", log.read))
    assert await first == 0
    with pytest.raises(RuntimeError, match="store down"):
        await waiter
    log.version = 2
    assert await shared.read("x", log.read) == 2  # and the next caller reads afresh


async def test_a_caller_that_gives_up_does_not_leave_the_others_waiting() -> None:
    log, shared = Log(), SharedReads[str, int]()
    first = asyncio.create_task(shared.read("x", log.read))
    await asyncio.sleep(0.005)
    waiters = [asyncio.create_task(shared.read("x", log.read)) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()  # the subscriber whose read was running disconnects
    assert await asyncio.gather(*waiters) == [0, 0, 0]


async def test_a_caller_that_accepts_some_age_takes_a_recent_answer_others_read_afresh() -> None:
    log, shared = Log(), SharedReads[str, int]()
    assert await shared.read("x", log.read) == 0
    log.version = 1
    # A quiet poll may take the answer a moment old ...
    assert await shared.read("x", log.read, max_age=30) == 0
    assert log.reads == 1
    # ... a stream after a gap may not.
    assert await shared.read("x", log.read) == 1
    assert log.reads == 2
