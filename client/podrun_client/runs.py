"""What the generated clients cannot say on their own: how to connect to a Podrun server
(HTTP and WebSocket with one token), and how to follow an execution's events to the end
across dropped connections, resuming with `afterSeq` so nothing is lost or repeated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from websockets.exceptions import ConnectionClosed

from podrun_client.aio.client import PodrunClient
from podrun_client.aio.execution_events import (
    ExecutionEventsExecutionEventsOutputEvent,
    ExecutionEventsExecutionEventsStatusEvent,
)

Event = ExecutionEventsExecutionEventsStatusEvent | ExecutionEventsExecutionEventsOutputEvent
TERMINAL = frozenset(
    {"COMPLETED", "FAILED", "TIMED_OUT", "OOM_KILLED", "OUTPUT_LIMIT_EXCEEDED", "CANCELLED", "ERROR"}
)


def connect(url: str, token: str | None = None, **kwargs: Any) -> PodrunClient:
    """An async client for the server at `url` (e.g. http://127.0.0.1:8000), calling with
    `token` (an access or API token) over HTTP and on the WebSocket."""
    base = url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return PodrunClient(
        url=f"{base}/graphql",
        headers=headers,
        ws_url=("ws" + base[4:] if base.startswith("http") else base) + "/graphql",
        ws_connection_init_payload={"authorization": f"Bearer {token}"} if token else None,
        **kwargs,
    )


async def follow(
    client: PodrunClient,
    execution_id: str,
    *,
    after_seq: int = 0,
    reconnects: int = 5,
    reconnect_delay: float = 0.5,
) -> AsyncIterator[Event]:
    """The execution's events with seq > `after_seq`, through its terminal status event.
    A connection that drops is opened again from the last seq seen, up to `reconnects`
    times in a row."""
    last, failures = after_seq, 0
    while True:
        try:
            async for data in client.execution_events(id=execution_id, after_seq=last):
                event = data.execution_events
                failures = 0
                if event.seq <= last:
                    continue
                last = event.seq
                yield event
                if isinstance(event, ExecutionEventsExecutionEventsStatusEvent) and (
                    event.status.value in TERMINAL
                ):
                    return
            return  # the server completed the subscription: the log has ended
        except (OSError, ConnectionClosed) as error:
            failures += 1
            if failures > reconnects:
                raise ConnectionError(f"lost the event stream at seq {last}") from error
            await asyncio.sleep(reconnect_delay)
