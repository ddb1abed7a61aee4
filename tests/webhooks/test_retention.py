"""Retention against the real store: delivered and given-up deliveries older than the
retention are removed; newer ones, pending ones and a redelivered one are kept."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest_asyncio

from service.adapters.store.connection import connect
from service.adapters.store.outbox import MongoDeliveryRepository
from service.domain.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, WebhookEventType
from service.services.clock import utcnow
from service.services.webhooks.pruning import DeliveryPruner
from tests.support.servers import StoreProcess

DAY = timedelta(days=1)


@pytest_asyncio.fixture(scope="module")
async def stored(store: StoreProcess) -> AsyncIterator[None]:
    client = await connect(store.uri, f"retention_{uuid.uuid4().hex[:8]}")
    yield
    await client.close()


async def _settled(
    deliveries: MongoDeliveryRepository,
    webhook_id: str,
    at: datetime,
    status: DeliveryStatus | None,
) -> str:
    """A delivery created at `at` and, unless `status` is None, settled then with it."""
    delivery = Delivery(
        id=f"msg_{uuid.uuid4().hex}",
        execution_id=uuid.uuid4().hex,
        event_type=WebhookEventType.EXECUTION_FINISHED,
        url="https://hooks.example/",
        payload="{}",
        created_at=at,
        next_attempt_at=at,
        give_up_at=at + DAY,
        webhook_id=webhook_id,
    )
    assert await deliveries.add_many([delivery]) == 1
    if status is not None:
        lease = utcnow() + timedelta(minutes=1)
        assert await deliveries.claim(delivery, "p1", lease)
        code = 200 if status is DeliveryStatus.SUCCEEDED else 500
        attempt = DeliveryAttempt(at, 12.0, status_code=code)
        assert await deliveries.record(
            delivery, "p1", lease, attempt, url=delivery.url, status=status, next_attempt_at=at
        )
    return delivery.id


async def _ids(deliveries: MongoDeliveryRepository, webhook_id: str) -> set[str]:
    page = await deliveries.page(webhook_id, first=100, after=None)
    return {d.id for d in page.items}


async def test_old_settled_deliveries_are_removed_and_the_rest_kept(stored: None) -> None:
    deliveries, hook = MongoDeliveryRepository(), uuid.uuid4().hex
    now = utcnow()
    old_delivered = await _settled(deliveries, hook, now - 10 * DAY, DeliveryStatus.SUCCEEDED)
    old_dead = await _settled(deliveries, hook, now - 10 * DAY, DeliveryStatus.FAILED)
    new_delivered = await _settled(deliveries, hook, now - DAY, DeliveryStatus.SUCCEEDED)
    old_pending = await _settled(deliveries, hook, now - 10 * DAY, None)
    redelivered = await _settled(deliveries, hook, now - 10 * DAY, DeliveryStatus.FAILED)
    assert await deliveries.redeliver(redelivered, now, now + DAY)

    pruner = DeliveryPruner(deliveries=deliveries, keep_for_seconds=(5 * DAY).total_seconds())
    assert await pruner.prune_once() >= 2

    assert await _ids(deliveries, hook) == {new_delivered, old_pending, redelivered}
    assert await deliveries.get(old_delivered) is None
    assert await deliveries.get(old_dead) is None


async def test_a_process_prunes_at_most_once_per_interval(stored: None) -> None:
    deliveries, hook = MongoDeliveryRepository(), uuid.uuid4().hex
    clock = [1000.0]
    pruner = DeliveryPruner(
        deliveries=deliveries,
        keep_for_seconds=DAY.total_seconds(),
        every_seconds=60.0,
        monotonic=lambda: clock[0],
    )
    await pruner.prune_if_due()
    old = await _settled(deliveries, hook, utcnow() - 3 * DAY, DeliveryStatus.SUCCEEDED)
    clock[0] += 30
    assert await pruner.prune_if_due() == 0
    assert await _ids(deliveries, hook) == {old}
    clock[0] += 31
    assert await pruner.prune_if_due() >= 1
    assert await _ids(deliveries, hook) == set()
