"""Store outages as the use cases see them: pymongo's connection failures (the server is
down, restarting or unreachable, or selecting it timed out) become `StoreUnavailable`.

Every Mongo adapter class is wrapped with `translates_outages`, so nothing above the
adapters needs to know pymongo's exception tree: the API answers `STORE_UNAVAILABLE` (see
:mod:`service.entrypoints.graphql.hardening`) and the worker waits outages out with
`OutageRetry` (its wrappers are in :mod:`service.adapters.store.retrying`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pymongo.errors import ConnectionFailure

from service.services.ports.store import StoreUnavailable

log = logging.getLogger(__name__)

C = TypeVar("C", bound=type)
T = TypeVar("T")

OUTAGE_MESSAGE = "the store is unavailable; try again shortly"


def _translating(
    method: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except ConnectionFailure as error:
            raise StoreUnavailable(f"{OUTAGE_MESSAGE} ({type(error).__name__})") from error

    return call


def translates_outages(cls: C) -> C:
    """Make every public coroutine method of `cls` raise `StoreUnavailable` for a lost
    or unselectable server (ServerSelectionTimeoutError, AutoReconnect, NetworkTimeout…)."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, _translating(member))
    return cls


# Longer than a dying store's window of acknowledged-but-lost writes.
REPLAY_SECONDS = 5.0


@dataclass
class OutageRetry:
    """How long and how often the worker's calls are retried while the store is down.
    `stopping` (set at shutdown) ends the waiting: a stopping process must not hang."""

    tolerance_seconds: float = 60.0
    first_delay_seconds: float = 0.1
    max_delay_seconds: float = 2.0
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # Outages seen so far (any call that failed with StoreUnavailable counts one).
    outages: int = 0
    _replays: list[Callable[[], Awaitable[None]]] = field(
        default_factory=list, init=False, repr=False
    )

    def on_outage_end(self, replay: Callable[[], Awaitable[None]]) -> None:
        """Run `replay` (a wrapper's re-application of its recent writes) in `store_back`."""
        self._replays.append(replay)

    async def store_back(self) -> None:
        """The store was restarted (it may have been down while no call noticed, and have
        lost writes meanwhile): apply the recent writes again now, not at the next write,
        which may never come for a run that had just ended."""
        self.outages += 1
        for replay in self._replays:
            await self.call("applying recent writes again", _ignoring_retried(replay))

    async def call(self, what: str, attempt: Callable[[bool], Awaitable[T]]) -> T:
        """`attempt(retried)`: `retried` is True once an earlier attempt failed (and may
        have been applied)."""
        deadline = time.monotonic() + self.tolerance_seconds
        delay = self.first_delay_seconds
        retried = False
        while True:
            try:
                result = await attempt(retried)
            except StoreUnavailable:
                if not retried:
                    self.outages += 1
                if self.stopping.is_set() or time.monotonic() + delay > deadline:
                    raise
                if not retried:
                    log.warning(
                        "the store is unavailable: retrying %s for up to %.0f s",
                        what,
                        self.tolerance_seconds,
                    )
                retried = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), delay)
                delay = min(self.max_delay_seconds, delay * 2)
                continue
            if retried:
                log.info("the store is back: %s done", what)
            return result


def _ignoring_retried(call: Callable[[], Awaitable[T]]) -> Callable[[bool], Awaitable[T]]:
    return lambda _: call()


class RecentWrites:
    """Writes of the last REPLAY_SECONDS, to apply again after an outage.

    A store that dies may lose writes it had acknowledged just before (SecantusDB hands its
    journal to the OS a fraction of a second late: a `kill -9` loses up to about half a
    second of them), so a writer cannot take an acknowledged write as stored for good."""

    def __init__(self, retry: OutageRetry) -> None:
        self._retry = retry
        self._writes: deque[tuple[float, Callable[[], Awaitable[object]]]] = deque()
        self._replayed_after = 0

    def remember(self, write: Callable[[], Awaitable[object]]) -> None:
        now = time.monotonic()
        self._writes.append((now, write))
        while self._writes and self._writes[0][0] < now - REPLAY_SECONDS:
            self._writes.popleft()

    async def replay_after_outage(self) -> None:
        """Apply the remembered writes again once per outage (raises StoreUnavailable when
        the store is still away: the caller's retry then tries again)."""
        outages = self._retry.outages
        if outages == self._replayed_after:
            return
        writes = [write for at, write in self._writes if at >= time.monotonic() - REPLAY_SECONDS]
        for write in writes:
            await write()
        self._replayed_after = outages
        if writes:
            log.info("applied %d recent write(s) again after the store outage", len(writes))
