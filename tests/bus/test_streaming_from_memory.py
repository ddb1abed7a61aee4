"""The subscription use case over a real store, with the bus's memory: a remembered
execution streams without a store read; one whose run ended without storing what it published
is read from the log, which holds what really happened."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

import pytest_asyncio

from service.adapters.bus.local import LocalEventBus
from service.adapters.store.connection import connect
from service.adapters.store.events import MongoEventLog
from service.adapters.store.executions import MongoExecutionRepository
from service.domain.accounts import ANONYMOUS
from service.domain.events import ExecutionEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream
from service.domain.statuses import ExecutionStatus
from service.services.clock import utcnow
from service.services.executions.subscribing import EventStreamer
from tests.support.servers import StoreProcess


class CountingEventLog(MongoEventLog):
    """The real log, counting reads."""

    reads = 0

    async def after(self, execution_id: str, after_seq: int, limit: int) -> list[ExecutionEvent]:
        self.reads += 1
        return await super().after(execution_id, after_seq, limit)


class CountingExecutions(MongoExecutionRepository):
    reads = 0

    async def get(self, execution_id: str) -> Execution | None:
        self.reads += 1
        return await super().get(execution_id)


@pytest_asyncio.fixture(scope="module")
async def stores(store: StoreProcess) -> AsyncIterator[None]:
    client = await connect(store.uri, "bus-memory")
    yield
    await client.close()


async def submit(
    executions: MongoExecutionRepository, log: MongoEventLog, bus: LocalEventBus
) -> tuple[Execution, StatusEvent]:
    """As the submitter does: store the execution and its QUEUED event, publish, announce."""
    execution = Execution(
        id=uuid.uuid4().hex,
        status=ExecutionStatus.QUEUED,
        runtime="python",
        script="print('hi')",
        limits=Limits(timeout_seconds=5),
        created_at=utcnow(),
        last_seq=1,
    )
    assert await executions.create(execution) is not None
    queued = StatusEvent(execution.id, 1, utcnow(), ExecutionStatus.QUEUED)
    assert await log.append(queued)
    bus.publish(queued)
    bus.announce_queued(execution)
    return execution, queued


async def collect(streamer: EventStreamer, execution_id: str, after: int) -> list[ExecutionEvent]:
    execution = await streamer.visible(execution_id, ANONYMOUS)
    assert execution is not None
    return [
        event
        async for event in streamer.stream(
            execution_id, after, principal=ANONYMOUS, execution=execution
        )
    ]


def run_events(execution_id: str) -> Sequence[ExecutionEvent]:
    return [
        StatusEvent(execution_id, 2, utcnow(), ExecutionStatus.SCHEDULED),
        StatusEvent(execution_id, 3, utcnow(), ExecutionStatus.RUNNING),
        OutputEvent(execution_id, 4, utcnow(), OutputStream.STDOUT, "hi\n"),
        StatusEvent(execution_id, 5, utcnow(), ExecutionStatus.COMPLETED, exit_code=0),
    ]


async def test_a_remembered_execution_streams_without_a_store_read(stores: None) -> None:
    executions, log, bus = CountingExecutions(), CountingEventLog(), LocalEventBus()
    streamer = EventStreamer(
        executions=executions, events=log, feed=bus, memory=bus, poll_seconds=0.2
    )
    execution, queued = await submit(executions, log, bus)
    events = run_events(execution.id)
    for event in events:  # as the worker does: published ahead, stored in one batch
        bus.publish_ahead(event)
    await log.append_many(events)
    bus.settled(execution.id, events[-1].seq)
    bus.run_ended(execution.id)
    stored = await log.after(execution.id, 0, 100)
    executions.reads = log.reads = 0

    assert await collect(streamer, execution.id, 0) == stored == [queued, *events]
    assert await collect(streamer, execution.id, 3) == stored[3:]
    assert await collect(streamer, execution.id, 5) == []
    assert (executions.reads, log.reads) == (0, 0)


async def test_what_a_run_never_stored_is_not_replayed(stores: None) -> None:
    executions, log, bus = CountingExecutions(), CountingEventLog(), LocalEventBus()
    streamer = EventStreamer(
        executions=executions, events=log, feed=bus, memory=bus, poll_seconds=0.2
    )
    execution, queued = await submit(executions, log, bus)
    # The run publishes output ahead, then loses the execution before storing it; another
    # worker's recovery ends it as ERROR at that seq.
    bus.publish_ahead(OutputEvent(execution.id, 2, utcnow(), OutputStream.STDOUT, "lost\n"))
    bus.run_ended(execution.id)
    error = StatusEvent(execution.id, 2, utcnow(), ExecutionStatus.ERROR, message="recovered")
    assert await log.append(error)

    assert await collect(streamer, execution.id, 0) == [queued, error]
    assert log.reads == 1
