"""The SSRF guard, against the real store and a real receiver on 127.0.0.1: refused targets
are recorded with their reason, and no packet leaves loopback even if the guard failed.

The dialler here records every address it is asked to connect to and dials only loopback
ones; names resolve through a table (an internal name resolving to a private address).
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpcore
import pytest
import pytest_asyncio

from service.adapters.store.connection import connect
from service.adapters.store.executions import MongoExecutionRepository
from service.adapters.store.outbox import MongoDeliveryRepository
from service.adapters.store.webhooks import MongoWebhookRepository
from service.adapters.webhooks.guard import AddressPolicy, GuardedNetwork, IPAddress
from service.adapters.webhooks.sending import HttpWebhookSender
from service.domain.webhooks import (
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    Webhook,
    WebhookEventType,
)
from service.services.clock import utcnow
from service.services.webhooks.delivering import Deliverer
from service.services.webhooks.secrets import new_signing_secret
from tests.support.servers import StoreProcess
from tests.webhooks.receiver import Receiver, receiving

NAMES = {"hooks.internal.example": "10.0.0.5", "metadata.example": "169.254.169.254"}


class RecordingDial(httpcore.AsyncNetworkBackend):
    """Records each address asked for; connects only to loopback, never elsewhere."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        self.asked.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            raise httpcore.ConnectError(f"the test refuses to dial {host}")
        return await self._real.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


async def table_resolver(host: str, port: int) -> list[IPAddress]:
    return [ipaddress.ip_address(NAMES.get(host, host))]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from receiving()


@pytest_asyncio.fixture(scope="module")
async def stored(store: StoreProcess) -> AsyncIterator[None]:
    client = await connect(store.uri, "webhook_guard")
    yield
    await client.close()


def deliverer(dial: RecordingDial, allow: list[str]) -> Deliverer:
    network = GuardedNetwork(AddressPolicy(allow), resolver=table_resolver, dial=dial)
    return Deliverer(
        deliveries=MongoDeliveryRepository(),
        webhooks=MongoWebhookRepository(),
        executions=MongoExecutionRepository(),
        sender=HttpWebhookSender(network),
        retry=RetryPolicy(first_delay_seconds=3600, attempt_timeout_seconds=5),
        owner="test",
    )


async def one_delivery(url: str) -> Delivery:
    now = utcnow()
    hook = Webhook(
        id=uuid.uuid4().hex,
        owner_id="u1",
        url=url,
        events=(WebhookEventType.EXECUTION_FINISHED,),
        secret=new_signing_secret(),
        created_at=now,
        updated_at=now,
    )
    await MongoWebhookRepository().create(hook)
    delivery = Delivery(
        id=f"msg_{uuid.uuid4().hex}",
        execution_id=uuid.uuid4().hex,
        event_type=WebhookEventType.EXECUTION_FINISHED,
        url=url,
        payload='{"type":"execution.finished"}',
        created_at=now,
        next_attempt_at=now - timedelta(seconds=1),
        give_up_at=now + timedelta(days=1),
        owner_id="u1",
        webhook_id=hook.id,
    )
    assert await MongoDeliveryRepository().add_many([delivery]) == 1
    return delivery


async def attempt_of(url: str, allow: list[str]) -> tuple[Delivery, RecordingDial]:
    dial = RecordingDial()
    delivery = await one_delivery(url)
    await deliverer(dial, allow).deliver_due()
    after = await MongoDeliveryRepository().get(delivery.id)
    assert after is not None and len(after.attempts) == 1, after
    return after, dial


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://[::1]:9/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://metadata.example/latest/meta-data/", "link-local"),
        ("http://hooks.internal.example/hook", "private"),
        ("http://0.0.0.0:9/hook", "unspecified"),
    ],
)
async def test_a_target_off_the_public_internet_is_refused_with_the_reason(
    url: str, kind: str
) -> None:
    delivery, dial = await attempt_of(url, allow=[])
    attempt = delivery.attempts[0]
    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith("refused: ")
    assert f"a {kind} address" in attempt.error
    assert delivery.status is DeliveryStatus.PENDING  # retried later, as any failure
    assert dial.asked == []  # refused before any connection was asked for


@pytest.mark.usefixtures("stored")
async def test_an_allowed_host_is_reached_and_answers(receiver: Receiver) -> None:
    delivery, dial = await attempt_of(receiver.url, allow=["127.0.0.1"])
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert delivery.attempts[0].status_code == 200
    assert dial.asked == ["127.0.0.1"]
    assert len(receiver.received) == 1


@pytest.mark.usefixtures("stored")
async def test_a_redirect_is_not_followed() -> None:
    for location in ("http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/other"):
        with contextlib_receiving([(302, {"location": location})]) as receiver:
            delivery, dial = await attempt_of(receiver.url, allow=["127.0.0.1"])
            attempt = delivery.attempts[0]
            assert attempt.status_code == 302
            assert attempt.error is not None and "redirect (not followed)" in attempt.error
            assert delivery.status is DeliveryStatus.PENDING
            assert dial.asked == ["127.0.0.1"]  # once, to the receiver itself
            assert len(receiver.received) == 1


def contextlib_receiving(answers: list[tuple[int, dict[str, str]]]) -> Any:
    import contextlib

    return contextlib.contextmanager(receiving)(answers)


@pytest.mark.usefixtures("stored")
async def test_two_processes_never_send_one_delivery_at_once(receiver: Receiver) -> None:
    import asyncio

    delivery = await one_delivery(receiver.url)
    first, second = (
        deliverer(RecordingDial(), ["127.0.0.1"]),
        deliverer(RecordingDial(), ["127.0.0.1"]),
    )
    sent = await asyncio.gather(first.deliver_due(), second.deliver_due())
    after = await MongoDeliveryRepository().get(delivery.id)
    assert after is not None and after.status is DeliveryStatus.SUCCEEDED
    assert len(after.attempts) == 1
    assert [r.headers["webhook-id"] for r in receiver.received].count(delivery.id) == 1
    assert sum(sent) >= 1


@pytest.mark.usefixtures("stored")
async def test_an_endless_answer_is_read_only_up_to_the_bound() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Endless(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(200)
            self.end_headers()  # no length: the body ends when the connection does
            try:
                while True:  # never, unless the client stops reading
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        # Without the bound the attempt would read until its 5 s timeout and fail.
        delivery, _ = await attempt_of(url, allow=["127.0.0.1"])
    finally:
        server.shutdown()
        server.server_close()
    assert delivery.status is DeliveryStatus.SUCCEEDED, delivery.attempts
    assert delivery.attempts[0].status_code == 200
