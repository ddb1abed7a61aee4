"""The worker's side of interactive stdin: follow an execution's input log and write it to
its sandbox, in `seq` order, each piece once.

Woken by the bus (`announce_input`, from this process's API or, through change streams, from
another's) and, as a safety net for a missed notification, every `poll_seconds`. It relies on
nothing but the `SandboxHandle` port (`write_stdin`, `close_stdin`), so it works the same for
every backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from service.services.ports.bus import WorkSignals
from service.services.ports.inputs import InputLog
from service.services.ports.sandbox import SandboxHandle

log = logging.getLogger(__name__)

_BATCH = 100
_RETRY_SECONDS = 1.0


class StdinRelay:
    def __init__(
        self, *, inputs: InputLog, signals: WorkSignals, poll_seconds: float = 0.5
    ) -> None:
        self._inputs = inputs
        self._poll_seconds = poll_seconds
        self._wakeups: dict[str, asyncio.Event] = {}
        signals.on_input(self._wake)

    def _wake(self, execution_id: str) -> None:
        wakeup = self._wakeups.get(execution_id)
        if wakeup is not None:
            wakeup.set()

    async def relay(self, execution_id: str, handle: SandboxHandle) -> None:
        """Write the execution's input to `handle` until EOF was sent, the script stopped
        reading, or the task is cancelled (the run ended)."""
        wakeup = self._wakeups[execution_id] = asyncio.Event()
        delivered = 0
        try:
            while True:
                wakeup.clear()
                try:
                    chunks = await self._inputs.after(execution_id, delivered, _BATCH)
                except Exception:
                    log.exception("reading the input of execution %s failed", execution_id)
                    await asyncio.sleep(_RETRY_SECONDS)
                    continue
                for chunk in chunks:
                    try:
                        if chunk.data:
                            await handle.write_stdin(chunk.data.encode("utf-8"))
                        if chunk.eof:
                            await handle.close_stdin()
                    except Exception as error:  # noqa: BLE001 - any backend's write failure
                        # The script closed its stdin or ended: nothing more can go in.
                        log.info(
                            "stdin of execution %s no longer accepts input: %s", execution_id, error
                        )
                        return
                    delivered = chunk.seq
                    if chunk.eof:
                        return
                if len(chunks) == _BATCH:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), self._poll_seconds)
        finally:
            if self._wakeups.get(execution_id) is wakeup:
                del self._wakeups[execution_id]
