"""A uvicorn server that drains before it closes connections, and exits cleanly on SIGTERM.

uvicorn's own shutdown closes every connection first (WebSockets with 1012, "service
restart") and only then runs the application's lifespan shutdown: a subscriber would lose the
verdict of a run the worker was about to finish. Here a signal first runs `drain` (readiness
goes 503, the worker finishes or ends its runs, subscriptions hand on their terminal events)
with the connections still open, then lets uvicorn close them with 1012 so clients reconnect
and resume with `afterSeq`, then the lifespan stops the rest.

uvicorn also re-raises the signal once it has shut down, so a drained process would still die
"of" SIGTERM (exit status -15); a completed drain is a clean exit, status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator

import uvicorn

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class DrainingServer(uvicorn.Server):
    """`uvicorn.Server` whose shutdown starts with `drain` (bounded by the caller)."""

    def __init__(self, config: uvicorn.Config, drain: Callable[[], Awaitable[None]]) -> None:
        super().__init__(config)
        self._drain = drain

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # As uvicorn's, without re-raising the signal at the end.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if not self.force_exit:
            log.info("draining: finishing running executions before closing connections")
            drain = asyncio.ensure_future(self._drain())
            # A second Ctrl+C (uvicorn's force_exit) cuts the drain short.
            while not drain.done() and not self.force_exit:
                await asyncio.wait({drain}, timeout=0.1)
            if not drain.done():
                drain.cancel()
            try:
                await drain
            except asyncio.CancelledError:
                log.warning("draining cut short")
            except Exception:
                log.exception("draining failed; closing connections anyway")
        await super().shutdown(sockets)
