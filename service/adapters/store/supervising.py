"""Keeping the embedded store alive: its owner notices the child's exit and starts it again
on the same port and data dir (the open client reconnects by itself), waiting longer after
each failure in a row.

While it is down the API answers STORE_UNAVAILABLE (see :mod:`service.adapters.store.outages`)
and the worker waits its writes out (see :mod:`service.adapters.store.retrying`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable

from service.adapters.store.embedded import (
    EmbeddedStore,
    EmbeddedStoreError,
    restart_embedded_store,
)

log = logging.getLogger(__name__)


def exit_status(returncode: int | None) -> str:
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class StoreSupervisor:
    """Restarts the embedded store whenever its process ends, until `stop`.

    Backoff: `first_delay_seconds` before the first restart, doubled for each restart in a
    row (up to `max_delay_seconds`); a store that stayed up `settled_seconds` resets it."""

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        poll_seconds: float = 0.2,
        first_delay_seconds: float = 0.25,
        max_delay_seconds: float = 30.0,
        settled_seconds: float = 30.0,
        on_restart: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self._poll = poll_seconds
        self._first_delay = first_delay_seconds
        self._max_delay = max_delay_seconds
        self._settled = settled_seconds
        # Told after each restart (the worker applies its recent writes again).
        self._on_restart = on_restart
        self._task: asyncio.Task[None] | None = None
        self.restarts = 0

    @property
    def up(self) -> bool:
        """Whether the store's process is running (it may still be starting)."""
        process = self._store.process
        return process is not None and process.poll() is None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._supervise(), name="store-supervisor"
            )

    async def stop(self) -> None:
        """Stop restarting (a restart under way is cut short; `EmbeddedStore.stop` then
        ends whatever it started)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _supervise(self) -> None:
        failures = 0
        up_since = time.monotonic()
        while True:
            await asyncio.sleep(self._poll)
            process = self._store.process
            if process is None or process.poll() is None:
                if failures and time.monotonic() - up_since >= self._settled:
                    failures = 0
                continue
            delay = min(self._max_delay, self._first_delay * 2**failures)
            failures += 1
            log.warning(
                "the embedded store (pid %d) stopped (%s); restarting it in %.2f s "
                "(restart %d in a row)",
                process.pid,
                exit_status(process.returncode),
                delay,
                failures,
            )
            await asyncio.sleep(delay)
            try:
                await restart_embedded_store(self._store)
            except (EmbeddedStoreError, OSError) as error:
                log.error("restarting the embedded store failed: %s", error)
                continue
            self.restarts += 1
            up_since = time.monotonic()
            started = self._store.process
            log.warning(
                "restarted the embedded store (pid %d) on 127.0.0.1:%s",
                started.pid if started is not None else -1,
                self._store.port,
            )
            if self._on_restart is not None:
                try:
                    await self._on_restart()
                except Exception:
                    log.exception("after restarting the embedded store")
