"""Deciding which change streams this process follows.

Split deployments (API-only, worker-only, or an external MongoDB) follow what they need from the
start. A self-contained `podrun serve` (embedded store, API and worker in one process) follows
none, which halves the store's cost per write; it announces itself and switches a stream on
when another process joins the store and needs it (until then the subscription's periodic
re-read of the log delivers, so nothing is lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid

from service.adapters.bus.changestreams import ChangeStreamFeed
from service.adapters.store.presence import MongoPresence
from service.services.clock import utcnow
from service.services.ports.store import StoreUnavailable

log = logging.getLogger(__name__)


class FeedSwitch:
    def __init__(
        self,
        feed: ChangeStreamFeed,
        *,
        api: bool,
        worker: bool,
        self_contained: bool,
        interval_seconds: float,
        dead_after_seconds: float,
    ) -> None:
        self._feed = feed
        self._api = api
        self._worker = worker
        self._self_contained = self_contained
        self._interval = interval_seconds
        self._dead_after = dead_after_seconds
        self._presence = MongoPresence()
        self._id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._roles = [role for role, on in (("api", api), ("worker", worker)) if on]
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self._self_contained:
            if self._api:
                await self._feed.follow_events()
            if self._worker:
                await self._feed.follow_control()
        await self._tick()
        self._task = asyncio.create_task(self._loop(), name="feed-switch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self._presence.leave(self._id)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._tick()
            except StoreUnavailable as error:
                log.warning("presence check failed: %s", error)
            except Exception:
                log.exception("presence check failed")

    async def _tick(self) -> None:
        now = utcnow()
        await self._presence.announce(self._id, self._roles, socket.gethostname(), os.getpid(), now)
        others = await self._presence.other_roles(
            self._id, MongoPresence.freshness(now, self._dead_after)
        )
        if self._api and "worker" in others and "events" not in self._feed.following:
            log.info("another worker shares the store: following its events")
            await self._feed.follow_events()
        if self._worker and "api" in others and "control" not in self._feed.following:
            log.info("another API shares the store: following its submissions")
            await self._feed.follow_control()
