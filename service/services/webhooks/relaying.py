"""The loop every process runs: drain the outbox, then send what is due, each poll
(and, now and then, remove deliveries older than the retention).

Both steps are safe to run in many processes at once (see
:mod:`service.services.webhooks.draining` and :mod:`service.services.webhooks.delivering`);
a failing round (the store away) is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from service.services.webhooks.delivering import Deliverer
from service.services.webhooks.draining import OutboxDrainer
from service.services.webhooks.pruning import DeliveryPruner

log = logging.getLogger(__name__)


class WebhookRelay:
    def __init__(
        self,
        *,
        drainer: OutboxDrainer,
        deliverer: Deliverer,
        poll_seconds: float,
        pruner: DeliveryPruner | None = None,
    ) -> None:
        self._drainer = drainer
        self._deliverer = deliverer
        self._pruner = pruner
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-relay")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def run_once(self) -> None:
        await self._drainer.drain_once()
        await self._deliverer.deliver_due()
        if self._pruner is not None:
            await self._pruner.prune_if_due()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.warning("webhook round failed; retrying next round", exc_info=True)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
