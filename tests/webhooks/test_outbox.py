"""The outbox against the real store: the status write flags the execution, each round
records each message once, and a flag is cleared only when nothing was written since."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio

from service.adapters.store.connection import connect
from service.adapters.store.executions import MongoExecutionRepository
from service.adapters.store.outbox import MongoDeliveryRepository, MongoOutbox
from service.adapters.store.webhooks import MongoWebhookRepository
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition
from service.domain.webhooks import RetryPolicy, Webhook, WebhookEventType
from service.services.clock import utcnow
from service.services.webhooks.draining import OutboxDrainer
from service.services.webhooks.secrets import new_signing_secret
from tests.support.servers import StoreProcess

S = ExecutionStatus


@pytest_asyncio.fixture(scope="module")
async def stored(store: StoreProcess) -> AsyncIterator[None]:
    client = await connect(store.uri, f"outbox_{uuid.uuid4().hex[:8]}")
    yield
    await client.close()


async def test_each_event_is_recorded_once_however_often_a_round_runs(stored: None) -> None:
    executions, outbox, deliveries = (
        MongoExecutionRepository(),
        MongoOutbox(),
        MongoDeliveryRepository(),
    )
    owner, now = uuid.uuid4().hex, utcnow()
    hook = Webhook(
        id=uuid.uuid4().hex,
        owner_id=owner,
        url="https://hooks.example/",
        events=(WebhookEventType.EXECUTION_STARTED, WebhookEventType.EXECUTION_FINISHED),
        secret=new_signing_secret(),
        created_at=now,
        updated_at=now,
    )
    await MongoWebhookRepository().create(hook)
    drainer = OutboxDrainer(
        outbox=outbox, webhooks=MongoWebhookRepository(), deliveries=deliveries, retry=RetryPolicy()
    )
    execution = Execution(
        id=uuid.uuid4().hex,
        status=S.QUEUED,
        runtime="python",
        script="print(1)",
        limits=Limits(),
        created_at=now,
        last_seq=1,
        owner_id=owner,
    )
    await executions.create(execution)
    assert await executions.claim(execution.id, "w1", utcnow())
    assert await drainer.drain_once() == 0  # a claim tells nothing

    running = Transition(S.SCHEDULED, S.RUNNING, seq=3, worker_id="w1", started_at=utcnow())
    assert await executions.apply(execution.id, running)
    flagged = await outbox.flagged(100)
    assert execution.id in {e.id for e in flagged}
    assert await drainer.drain_once() == 1  # started
    assert execution.id not in {e.id for e in await outbox.flagged(100)}

    # The end: recorded once; the start, recorded already, is not again.
    ended = Transition(S.RUNNING, S.TIMED_OUT, seq=4, worker_id="w1", finished_at=utcnow())
    assert await executions.apply(execution.id, ended)
    assert await drainer.drain_once() == 1
    assert await drainer.drain_once() == 0
    page = await deliveries.page(hook.id, first=10, after=None)
    assert sorted(d.event_type.value for d in page.items) == [
        "execution.finished",
        "execution.started",
    ]


async def test_a_flag_read_before_another_write_stays_set(stored: None) -> None:
    executions, outbox = MongoExecutionRepository(), MongoOutbox()
    execution = Execution(
        id=uuid.uuid4().hex,
        status=S.QUEUED,
        runtime="python",
        script="print(1)",
        limits=Limits(),
        created_at=utcnow(),
        last_seq=1,
    )
    await executions.create(execution)
    assert await executions.claim(execution.id, "w1", utcnow())
    running = Transition(S.SCHEDULED, S.RUNNING, seq=3, worker_id="w1", started_at=utcnow())
    assert await executions.apply(execution.id, running)
    seen = [e for e in await outbox.flagged(1000) if e.id == execution.id]
    assert len(seen) == 1
    ended = Transition(S.RUNNING, S.COMPLETED, seq=4, worker_id="w1", finished_at=utcnow())
    assert await executions.apply(execution.id, ended)
    await outbox.settle(seen)  # as read at RUNNING: the end is still to be told
    assert execution.id in {e.id for e in await outbox.flagged(1000)}
