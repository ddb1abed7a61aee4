"""Reading an execution while the worker is between its two writes: the log already holds
RUNNING and output, the record still says SCHEDULED (RUNNING is written to the record lazily,
after the events it precedes). A read must show what the log holds, never SCHEDULED with
output."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio

from service.adapters.store.connection import connect
from service.adapters.store.events import MongoEventLog
from service.adapters.store.executions import MongoExecutionRepository
from service.domain.accounts import ANONYMOUS
from service.domain.events import OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream
from service.domain.statuses import ExecutionStatus
from service.services.clock import utcnow
from service.services.executions.querying import ExecutionQueries
from tests.support.servers import StoreProcess

S = ExecutionStatus


@pytest_asyncio.fixture(scope="module")
async def queries(store: StoreProcess) -> AsyncIterator[ExecutionQueries]:
    client = await connect(store.uri, "reads_ahead")
    yield ExecutionQueries(executions=MongoExecutionRepository(), events=MongoEventLog())
    await client.close()


async def scheduled(executions: MongoExecutionRepository) -> Execution:
    execution = Execution(
        id=uuid.uuid4().hex,
        status=S.QUEUED,
        runtime="python",
        script="print('partial')",
        limits=Limits(timeout_seconds=5),
        created_at=utcnow(),
        last_seq=1,
    )
    assert await executions.create(execution) is not None
    assert await executions.claim(execution.id, "w1", utcnow())
    record = await executions.get(execution.id)
    assert record is not None and record.status is S.SCHEDULED
    return record


async def test_output_in_the_log_before_running_in_the_record_reads_as_running(
    queries: ExecutionQueries,
) -> None:
    record = await scheduled(MongoExecutionRepository())
    started = utcnow()
    await MongoEventLog().append_many(
        [
            StatusEvent(record.id, record.last_seq + 1, started, S.RUNNING),
            OutputEvent(record.id, record.last_seq + 2, utcnow(), OutputStream.STDOUT, "partial\n"),
        ]
    )
    seen = await queries.get(record.id, ANONYMOUS)
    # What a client reads as the execution's status (the record, as `get` answers it) ...
    assert seen is not None and seen.status is S.RUNNING
    # ... and its output so far.
    shown = await queries.with_output(seen)
    assert shown.status is S.RUNNING
    assert shown.stdout == "partial\n"
    assert shown.started_at is not None


async def test_a_scheduled_execution_with_nothing_logged_stays_scheduled(
    queries: ExecutionQueries,
) -> None:
    record = await scheduled(MongoExecutionRepository())
    shown = await queries.with_output(record)
    assert shown.status is S.SCHEDULED
    assert shown.stdout == ""
