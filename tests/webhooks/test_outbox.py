"""The outbox against the real store: the status write flags the execution, each round
records each message once (and each event is enqueued once, however many flags its
execution had), and a flag is cleared only when nothing was written since."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio

from service.adapters.store.connection import connect
from service.adapters.store.executions import MongoExecutionRepository
from service.adapters.store.outbox import MongoDeliveryRepository, MongoOutbox
from service.adapters.store.webhooks import MongoWebhookRepository
from service.adapters.webhooks.guard import AddressPolicy, GuardedNetwork
from service.adapters.webhooks.sending import HttpWebhookSender
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import Transition
from service.domain.webhooks import DeliveryStatus, RetryPolicy, Webhook, WebhookEventType
from service.services.clock import utcnow
from service.services.webhooks.delivering import Deliverer
from service.services.webhooks.draining import OutboxDrainer
from service.services.webhooks.pruning import DeliveryPruner
from service.services.webhooks.secrets import new_signing_secret
from tests.support.servers import StoreProcess
from tests.webhooks.calls import messages_about, until
from tests.webhooks.receiver import Receiver

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
    assert execution.id in {f.execution.id for f in flagged}
    assert await drainer.drain_once() == 1  # started
    assert execution.id not in {f.execution.id for f in await outbox.flagged(100)}

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
    seen = [f for f in await outbox.flagged(1000) if f.execution.id == execution.id]
    assert len(seen) == 1
    ended = Transition(S.RUNNING, S.COMPLETED, seq=4, worker_id="w1", finished_at=utcnow())
    assert await executions.apply(execution.id, ended)
    await outbox.settle(seen)  # as read at RUNNING: the end is still to be told
    assert execution.id in {f.execution.id for f in await outbox.flagged(1000)}


async def test_a_start_told_and_removed_is_not_enqueued_again_when_the_run_ends(
    stored: None, receiver: Receiver
) -> None:
    # A run is flagged twice (its start, its end) and the record read at the end shows the
    # start too. The start's delivery, delivered and then removed by retention, no longer
    # holds its id: the end's round must not enqueue the start a second time.
    executions, deliveries, hooks = (
        MongoExecutionRepository(),
        MongoDeliveryRepository(),
        MongoWebhookRepository(),
    )
    owner, now = uuid.uuid4().hex, utcnow()
    hook = Webhook(
        id=uuid.uuid4().hex,
        owner_id=owner,
        url=receiver.url,
        events=(WebhookEventType.EXECUTION_STARTED, WebhookEventType.EXECUTION_FINISHED),
        secret=new_signing_secret(),
        created_at=now,
        updated_at=now,
    )
    await hooks.create(hook)
    retry = RetryPolicy()
    drainer = OutboxDrainer(
        outbox=MongoOutbox(), webhooks=hooks, deliveries=deliveries, retry=retry
    )
    sender = HttpWebhookSender(GuardedNetwork(AddressPolicy(["127.0.0.1"])))
    deliverer = Deliverer(
        deliveries=deliveries,
        webhooks=hooks,
        executions=executions,
        sender=sender,
        retry=retry,
        owner="p1",
    )
    pruner = DeliveryPruner(deliveries=deliveries, keep_for_seconds=0)
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
    try:
        running = Transition(S.SCHEDULED, S.RUNNING, seq=3, worker_id="w1", started_at=utcnow())
        assert await executions.apply(execution.id, running)
        await drainer.drain_once()
        await deliverer.deliver_due()
        (started,) = (await deliveries.page(hook.id, first=10, after=None)).items
        assert started.status is DeliveryStatus.SUCCEEDED
        await until("the start removed", lambda: _pruned(pruner, deliveries, hook.id))

        ended = Transition(S.RUNNING, S.COMPLETED, seq=4, worker_id="w1", finished_at=utcnow())
        assert await executions.apply(execution.id, ended)
        assert await drainer.drain_once() == 1  # the end alone
        await deliverer.deliver_due()
    finally:
        await sender.close()
    told = [m["type"] for m in messages_about(receiver, execution.id, hook.secret)]
    assert told == ["execution.started", "execution.finished"]


async def _pruned(pruner: DeliveryPruner, deliveries: MongoDeliveryRepository, hook: str) -> bool:
    # Retention removes what settled before now: at once, but not in the same millisecond.
    await pruner.prune_once()
    return not (await deliveries.page(hook, first=10, after=None)).items
