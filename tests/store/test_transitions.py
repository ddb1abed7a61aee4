"""Guarded status writes against a real store: a transition applies only while the record
shows its source status (and its owner, when fenced), and writes exactly what it says."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from service.adapters.store.connection import connect
from service.adapters.store.executions import MongoExecutionRepository
from service.domain.events import OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream, ResourceUsage
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import INLINE_OUTPUT_BYTES, ExecutionOutput, Transition
from service.services.clock import utcnow
from tests.support.servers import StoreProcess

S = ExecutionStatus


@pytest_asyncio.fixture(scope="module")
async def executions(store: StoreProcess) -> AsyncIterator[MongoExecutionRepository]:
    client = await connect(store.uri, "transitions")
    yield MongoExecutionRepository()
    await client.close()


async def claimed(executions: MongoExecutionRepository, worker_id: str = "w1") -> Execution:
    execution = Execution(
        id=uuid.uuid4().hex,
        status=S.QUEUED,
        runtime="python",
        script="print(1)",
        limits=Limits(timeout_seconds=5),
        created_at=utcnow(),
        last_seq=1,
    )
    assert await executions.create(execution) is not None
    assert await executions.claim(execution.id, worker_id, utcnow())
    record = await executions.get(execution.id)
    assert record is not None and record.status is S.SCHEDULED
    return record


async def test_a_transition_from_a_status_the_record_left_changes_nothing(
    executions: MongoExecutionRepository,
) -> None:
    record = await claimed(executions)
    started = utcnow()
    running = Transition(S.SCHEDULED, S.RUNNING, seq=3, worker_id="w1", started_at=started)
    assert await executions.apply(record.id, running)
    # The same write again (a duplicate observation) no longer matches its source.
    assert not await executions.apply(record.id, running)
    late = Transition(S.SCHEDULED, S.ERROR, seq=4, worker_id="w1", finished_at=utcnow())
    assert not await executions.apply(record.id, late)
    after = await executions.get(record.id)
    assert after is not None
    assert (after.status, after.last_seq) == (S.RUNNING, 3)


async def test_a_worker_fenced_out_cannot_write_the_verdict(
    executions: MongoExecutionRepository,
) -> None:
    record = await claimed(executions, worker_id="w1")
    moved = await executions.reassign(record.id, from_worker="w1", to_worker="w2")
    assert moved is not None
    end = Transition(S.SCHEDULED, S.ERROR, seq=3, worker_id="w1", finished_at=utcnow())
    assert await executions.apply_and_get(record.id, end) is None
    theirs = Transition(S.SCHEDULED, S.ERROR, seq=3, worker_id="w2", finished_at=utcnow())
    written = await executions.apply_and_get(record.id, theirs)
    assert written is not None and written.status is S.ERROR


async def test_a_verdict_writes_what_it_says(executions: MongoExecutionRepository) -> None:
    record = await claimed(executions)
    now = utcnow().replace(microsecond=0)
    events = (
        OutputEvent(record.id, 4, now, OutputStream.STDOUT, "hi\n"),
        StatusEvent(record.id, 5, now, S.COMPLETED, exit_code=0),
    )
    usage = ResourceUsage(cpu_time_ms=12.5, peak_memory_kib=4096, wall_time_ms=30.0)
    verdict = Transition(
        S.SCHEDULED,
        S.COMPLETED,
        seq=5,
        via=S.RUNNING,
        worker_id="w1",
        started_at=now - timedelta(seconds=1),
        finished_at=now,
        exit_code=0,
        output=ExecutionOutput("hi\n", ""),
        output_truncated=False,
        usage=usage,
        carried=events,
    )
    written = await executions.apply_and_get(record.id, verdict)
    assert written is not None
    assert written.status is S.COMPLETED and written.last_seq == 5
    assert (written.started_at, written.finished_at) == (now - timedelta(seconds=1), now)
    assert (written.exit_code, written.error_message) == (0, None)
    assert (written.stdout, written.stderr, written.output_in_log) == ("hi\n", "", False)
    assert written.usage == usage and written.carried_events == events


async def test_output_too_large_for_the_record_is_left_to_the_log(
    executions: MongoExecutionRepository,
) -> None:
    record = await claimed(executions)
    big = ExecutionOutput("x" * (INLINE_OUTPUT_BYTES + 1), "")
    end = Transition(
        S.SCHEDULED, S.ERROR, seq=3, finished_at=utcnow(), error_message="gone", output=big
    )
    written = await executions.apply_and_get(record.id, end)
    assert written is not None
    assert (written.stdout, written.output_in_log, written.error_message) == ("", True, "gone")


async def test_without_a_seq_the_record_counts_one_more(
    executions: MongoExecutionRepository,
) -> None:
    record = await claimed(executions)
    assert await executions.apply(
        record.id, Transition(S.SCHEDULED, S.CANCELLED, finished_at=utcnow())
    )
    after = await executions.get(record.id)
    assert after is not None and after.last_seq == record.last_seq + 1
