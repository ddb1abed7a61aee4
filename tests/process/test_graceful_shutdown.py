"""SIGTERM under load: `podrun serve` drains before it goes.

Runs that finish within the grace period finish, and their subscribers get the verdict; a
run that would outlast it ends as ERROR, and its subscriber gets that; every socket is then
closed with 1012 (service restart) so clients come back; queued work stays queued and runs
after the restart; the process exits 0.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.support.client import EVENTS, TERMINAL, Api, output_of, statuses_of
from tests.support.servers import PodrunProcess

pytestmark = pytest.mark.timeout(300)

SHORT = "import time\nprint('started', flush=True)\ntime.sleep(8)\nprint('done', flush=True)"
LONG = "import time\nprint('started', flush=True)\ntime.sleep(60)\nprint('never', flush=True)"
QUEUED = "print('ran after the restart')"


@dataclass
class Subscriber:
    """One subscription on its own graphql-transport-ws socket, kept open after `complete`
    until the server closes it, to see how it closes."""

    url: str
    execution_id: str
    after_seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False
    close_code: int | None = None

    async def follow(self) -> None:
        ws_url = "ws" + self.url[len("http") :] + "/graphql"
        async with websockets.connect(
            ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        ) as socket:
            await socket.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            operation = uuid.uuid4().hex
            variables = {"id": self.execution_id, "afterSeq": self.after_seq}
            await socket.send(
                json.dumps(
                    {
                        "id": operation,
                        "type": "subscribe",
                        "payload": {"query": EVENTS, "variables": variables},
                    }
                )
            )
            try:
                async for raw in socket:
                    message = json.loads(raw)
                    if message["type"] == "ping":
                        await socket.send(json.dumps({"type": "pong"}))
                    elif message["type"] == "next":
                        assert not self.completed, "an event after `complete`"
                        self.events.append(message["payload"]["data"]["executionEvents"])
                    elif message["type"] == "complete":
                        self.completed = True
                    else:
                        raise AssertionError(f"unexpected message {message}")
            except websockets.ConnectionClosed:
                pass
            self.close_code = socket.close_code

    @property
    def last_seq(self) -> int:
        return int(self.events[-1]["seq"]) if self.events else 0

    @property
    def saw_started(self) -> bool:
        return "started" in output_of(self.events)


async def _until(condition: Any, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.05)


async def _health(url: str) -> int:
    async with httpx.AsyncClient(timeout=5) as http:
        try:
            return (await http.get(f"{url}/healthz")).status_code
        except httpx.HTTPError:
            return 0


async def test_sigterm_drains_runs_delivers_verdicts_then_closes_with_1012(
    tmp_path: Path,
) -> None:
    env = {
        "PODRUN_DATA_DIR": str(tmp_path / "data"),
        "PODRUN_MAX_CONCURRENCY": "9",
        "PODRUN_SHUTDOWN_GRACE_SECONDS": "20",
    }
    server = PodrunProcess(tmp_path, ["serve"], env=env).start()
    try:
        api = Api(server.url)
        short = [await api.submit(SHORT, limits={"timeoutSeconds": 30}) for _ in range(8)]
        long = await api.submit(LONG, limits={"timeoutSeconds": 60})
        for execution in [*short, long]:
            await api.wait_status(execution["id"], {"RUNNING"}, timeout=90)
        # Capacity is full: these wait in the queue.
        queued = [await api.submit(QUEUED) for _ in range(2)]
        for execution in queued:
            assert (await api.get(execution["id"]))["status"] == "QUEUED"

        running = [Subscriber(server.url, e["id"]) for e in [*short, long]]
        waiting = [Subscriber(server.url, e["id"]) for e in queued]
        followers = [asyncio.create_task(s.follow()) for s in [*running, *waiting]]
        await _until(lambda: all(s.saw_started for s in running), "every run printed 'started'")
        await _until(lambda: all(s.events for s in waiting), "queued subscribers got QUEUED")

        assert server.process is not None
        signalled_at = datetime.now(UTC)
        server.process.send_signal(signal.SIGTERM)

        # Readiness drops at once, while the long run is still being waited for.
        health = 200
        deadline = time.monotonic() + 15
        while health == 200 and time.monotonic() < deadline:
            health = await _health(server.url)
            await asyncio.sleep(0.05)
        assert health != 200

        # A submission during the drain is accepted and kept for after the restart.
        late = await api.submit(QUEUED)
        assert late["__typename"] == "Execution"
        assert late["status"] == "QUEUED"

        code = await asyncio.to_thread(_exit_code, server.process, 120)
        assert code == 0, server.log_path.read_text()[-3000:]
        await asyncio.wait_for(asyncio.gather(*followers), 30)

        for subscriber in running[:-1]:
            assert statuses_of(subscriber.events)[-1] == "COMPLETED", subscriber.events
            assert output_of(subscriber.events) == "started\ndone\n"
            assert subscriber.completed
            assert subscriber.close_code == 1012
        cut = running[-1]
        assert statuses_of(cut.events)[-1] == "ERROR", cut.events
        assert "worker shut down" in (cut.events[-1]["message"] or "")
        assert output_of(cut.events) == "started\n"
        assert cut.close_code == 1012
        # On a slow machine a short run can end before the signal, and its slot then
        # rightly serves a queued one: only those still queued at the signal must wait.
        waiting = [s for s in waiting if not _scheduled_before(s.events, signalled_at)]
        assert waiting, "every queued execution started before the signal: nothing tested"
        for subscriber in waiting:
            assert not TERMINAL & set(statuses_of(subscriber.events)), subscriber.events
            assert subscriber.close_code == 1012
    finally:
        server.stop()

    # The same data, served again: the queued work runs, and a client resuming after the
    # last seq it saw gets the rest of each log.
    again = PodrunProcess(tmp_path, ["serve"], env=env, port=server.port).start()
    try:
        api = Api(again.url)
        for subscriber in waiting:
            rest = await api.events(subscriber.execution_id, subscriber.last_seq, timeout=60)
            assert rest[0]["seq"] == subscriber.last_seq + 1
            assert statuses_of(rest)[-1] == "COMPLETED"
            assert output_of(rest) == "ran after the restart\n"
        ran_late = await api.events(late["id"], timeout=60)
        assert statuses_of(ran_late)[-1] == "COMPLETED"
        for execution in short:
            assert (await api.get(execution["id"]))["status"] == "COMPLETED"
        assert (await api.get(long["id"]))["status"] == "ERROR"
    finally:
        again.stop()


def _exit_code(process: subprocess.Popen[bytes], timeout: float) -> int:
    return process.wait(timeout=timeout)


def _scheduled_before(events: list[dict[str, Any]], at: datetime) -> bool:
    return any(
        e.get("status") == "SCHEDULED" and datetime.fromisoformat(e["at"]) < at for e in events
    )
