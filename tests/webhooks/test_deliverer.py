"""The deliverer against the real store and real receivers on 127.0.0.1: one target hears
of one execution in order (a start being retried holds back that execution's end, and
nothing else), and a delivery goes to its webhook's URL as it is when it is sent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

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
from service.services.webhooks.secrets import new_signing_secret
from tests.support.servers import StoreProcess
from tests.webhooks.calls import messages_about, until
from tests.webhooks.receiver import Receiver

S = ExecutionStatus
BOTH = (WebhookEventType.EXECUTION_STARTED, WebhookEventType.EXECUTION_FINISHED)


@dataclass
class Rig:
    executions: MongoExecutionRepository
    deliveries: MongoDeliveryRepository
    hooks: MongoWebhookRepository
    drainer: OutboxDrainer
    deliverer: Deliverer

    async def webhook(self, url: str, events: tuple[WebhookEventType, ...] = BOTH) -> Webhook:
        now = utcnow()
        hook = Webhook(
            id=uuid.uuid4().hex,
            owner_id=uuid.uuid4().hex,
            url=url,
            events=events,
            secret=new_signing_secret(),
            created_at=now,
            updated_at=now,
        )
        return await self.hooks.create(hook)

    async def execution(self, hook: Webhook) -> str:
        execution = Execution(
            id=uuid.uuid4().hex,
            status=S.QUEUED,
            runtime="python",
            script="print(1)",
            limits=Limits(),
            created_at=utcnow(),
            last_seq=1,
            owner_id=hook.owner_id,
        )
        await self.executions.create(execution)
        return execution.id

    async def start(self, execution_id: str) -> None:
        assert await self.executions.claim(execution_id, "w1", utcnow())
        running = Transition(S.SCHEDULED, S.RUNNING, seq=3, worker_id="w1", started_at=utcnow())
        assert await self.executions.apply(execution_id, running)

    async def end(self, execution_id: str) -> None:
        ended = Transition(S.RUNNING, S.COMPLETED, seq=4, worker_id="w1", finished_at=utcnow())
        assert await self.executions.apply(execution_id, ended)

    async def cancel_queued(self, execution_id: str) -> None:
        cancelled = Transition(S.QUEUED, S.CANCELLED, finished_at=utcnow())
        assert await self.executions.apply(execution_id, cancelled)

    async def statuses(self, hook: Webhook, execution_id: str) -> dict[str, DeliveryStatus]:
        page = await self.deliveries.page(hook.id, first=10, after=None)
        return {d.event_type.value: d.status for d in page.items if d.execution_id == execution_id}


@pytest_asyncio.fixture
async def rig(store: StoreProcess) -> AsyncIterator[Rig]:
    client = await connect(store.uri, f"deliverer_{uuid.uuid4().hex[:8]}")
    executions, deliveries, hooks = (
        MongoExecutionRepository(),
        MongoDeliveryRepository(),
        MongoWebhookRepository(),
    )
    # A retry comes 1 s after a failure: the rounds below run in far less, so the order
    # they see is the deliverer's doing, not the clock's.
    retry = RetryPolicy(first_delay_seconds=1.0, jitter=0.0, attempt_timeout_seconds=5.0)
    sender = HttpWebhookSender(GuardedNetwork(AddressPolicy(["127.0.0.1"])))
    deliverer = Deliverer(
        deliveries=deliveries,
        webhooks=hooks,
        executions=executions,
        sender=sender,
        retry=retry,
        owner="p1",
        # One delivery per round: one held back must not take the place of others.
        batch=1,
    )
    drainer = OutboxDrainer(
        outbox=MongoOutbox(), webhooks=hooks, deliveries=deliveries, retry=retry
    )
    yield Rig(executions, deliveries, hooks, drainer, deliverer)
    await sender.close()
    await client.close()


async def test_an_end_waits_for_its_start_being_retried_and_holds_up_no_one_else(
    rig: Rig,
) -> None:
    receiver = Receiver([(500, {})]).start()  # the first attempt fails
    try:
        hook = await rig.webhook(receiver.url)
        slow, other = await rig.execution(hook), await rig.execution(hook)
        await rig.start(slow)
        await rig.drainer.drain_once()
        assert await rig.deliverer.deliver_due() == 1  # its start, answered 500
        # Its end is recorded before the other execution's, so it is due first.
        await rig.end(slow)
        await rig.drainer.drain_once()
        await rig.cancel_queued(other)
        await rig.drainer.drain_once()
        for _ in range(3):
            await rig.deliverer.deliver_due()
        # The other execution's end went out; this one's waits for its start.
        assert [m["type"] for m in messages_about(receiver, other, hook.secret)] == [
            "execution.finished"
        ]
        assert await rig.statuses(hook, slow) == {
            "execution.started": DeliveryStatus.PENDING,
            "execution.finished": DeliveryStatus.PENDING,
        }

        await until("the start retried, then the end", lambda: _delivered(rig, hook, slow))
    finally:
        receiver.stop()
    told = [m["type"] for m in messages_about(receiver, slow, hook.secret)]
    assert told == ["execution.started", "execution.started", "execution.finished"]


async def test_a_start_and_its_end_recorded_in_one_round_are_sent_in_order(
    rig: Rig, receiver: Receiver
) -> None:
    hook = await rig.webhook(receiver.url)
    execution = await rig.execution(hook)
    await rig.start(execution)
    await rig.end(execution)
    await rig.drainer.drain_once()
    await until("both delivered", lambda: _delivered(rig, hook, execution))
    told = [m["type"] for m in messages_about(receiver, execution, hook.secret)]
    assert told == ["execution.started", "execution.finished"]


async def test_an_end_goes_once_its_start_is_given_up(rig: Rig, receiver: Receiver) -> None:
    # A start that will not be tried again does not hold its end until the end's own
    # window is over.
    receiver.answers.append((500, {}))  # the first attempt fails
    hook = await rig.webhook(receiver.url)
    execution = await rig.execution(hook)
    no_retries = RetryPolicy(give_up_after_seconds=0.0)
    drainer = OutboxDrainer(
        outbox=MongoOutbox(), webhooks=rig.hooks, deliveries=rig.deliveries, retry=no_retries
    )
    await rig.start(execution)
    await rig.end(execution)
    await drainer.drain_once()

    async def settled() -> dict[str, DeliveryStatus] | None:
        await rig.deliverer.deliver_due()
        statuses = await rig.statuses(hook, execution)
        return statuses if DeliveryStatus.PENDING not in statuses.values() else None

    assert await until("both settled", settled) == {
        "execution.started": DeliveryStatus.FAILED,
        "execution.finished": DeliveryStatus.SUCCEEDED,
    }
    told = [m["type"] for m in messages_about(receiver, execution, hook.secret)]
    assert told == ["execution.started", "execution.finished"]


async def _delivered(rig: Rig, hook: Webhook, execution_id: str) -> bool:
    await rig.deliverer.deliver_due()
    statuses = await rig.statuses(hook, execution_id)
    return len(statuses) == 2 and set(statuses.values()) == {DeliveryStatus.SUCCEEDED}


async def test_a_delivery_recorded_before_a_url_change_goes_to_the_new_url(rig: Rig) -> None:
    old, new = Receiver().start(), Receiver().start()
    try:
        hook = await rig.webhook(old.url, (WebhookEventType.EXECUTION_FINISHED,))
        execution = await rig.execution(hook)
        await rig.cancel_queued(execution)
        await rig.drainer.drain_once()
        # The change lands after the round read the webhook (no use case retargets here).
        assert await rig.hooks.update(hook.id, {"url": new.url}) is not None
        assert await rig.deliverer.deliver_due() == 1
    finally:
        old.stop()
        new.stop()
    assert old.received == []
    (message,) = messages_about(new, execution, hook.secret)
    assert message["type"] == "execution.finished"
    (delivery,) = (await rig.deliveries.page(hook.id, first=10, after=None)).items
    assert delivery.status is DeliveryStatus.SUCCEEDED and delivery.url == new.url
