"""Chaos: `podrun serve` and its whole process tree (store, sandboxes) killed at random
moments across many runs, then restarted on the same data.

For every execution, after the last restart: it is terminal; its log runs from seq 1 with no
gap and exactly one terminal event, last; every event a live subscriber received before a
crash is in the log with the same seq and content; and a subscription resumed from any seq
a client received yields the rest of the log, terminal event included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from pathlib import Path
from typing import Any

from tests.support.client import TERMINAL, Api
from tests.support.servers import PodrunProcess

ROUNDS = int(os.environ.get("PODRUN_CHAOS_ROUNDS", "5"))
PER_ROUND = 6

SCRIPTS = [
    # A trickle: each line its own event.
    "import time\nfor i in range(30):\n    print('line', i, flush=True)\n    time.sleep(0.05)\n",
    "print('quick')",
    # Both streams, interleaved.
    "import sys, time\nfor i in range(100):\n"
    "    sys.stdout.write('o%d\\n' % i); sys.stdout.flush()\n"
    "    sys.stderr.write('e%d\\n' % i); sys.stderr.flush()\n    time.sleep(0.005)\n",
    "import time\ntime.sleep(0.3)\nraise SystemExit(3)",
    # Output larger than one event.
    "print('y' * 300000)",
    "import time\nprint('before', flush=True)\ntime.sleep(2)\nprint('after')\n",
]


async def _watch(api: Api, execution_id: str, received: list[dict[str, Any]]) -> None:
    with contextlib.suppress(Exception):  # the server dies under the subscription
        async for data in api.client.subscribe(_EVENTS, {"id": execution_id, "afterSeq": 0}):
            received.append(data["executionEvents"])


_EVENTS = """
subscription($id: ID!, $afterSeq: Int!) {
  executionEvents(id: $id, afterSeq: $afterSeq) {
    __typename
    ... on StatusEvent { seq at status exitCode message }
    ... on OutputEvent { seq at stream data }
  }
}
"""


def _is_terminal(event: dict[str, Any]) -> bool:
    return event["__typename"] == "StatusEvent" and event["status"] in TERMINAL


async def _log_of(api: Api, execution_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async for data in api.client.subscribe(_EVENTS, {"id": execution_id, "afterSeq": after_seq}):
        events.append(data["executionEvents"])
    return events


async def test_kill_everything_at_random_moments_loses_and_rewrites_nothing(
    tmp_path: Path,
) -> None:
    chance = random.Random(int(os.environ.get("PODRUN_CHAOS_SEED", "20261202")))
    env = {"PODRUN_DATA_DIR": str(tmp_path / "data"), "PODRUN_MAX_CONCURRENCY": "4"}
    received: dict[str, list[dict[str, Any]]] = {}
    port: int | None = None
    for _ in range(ROUNDS):
        server = PodrunProcess(tmp_path, ["serve"], env=env, **({"port": port} if port else {}))
        server.start()
        port = server.port
        api = Api(server.url)
        watchers = []
        for script in chance.choices(SCRIPTS, k=PER_ROUND):
            submitted = await api.submit(script, limits={"timeoutSeconds": 10})
            assert submitted["__typename"] == "Execution", submitted
            seen = received.setdefault(submitted["id"], [])
            watchers.append(asyncio.create_task(_watch(api, submitted["id"], seen)))
        await asyncio.sleep(chance.uniform(0.05, 1.5))
        server.kill_tree()
        await asyncio.wait_for(asyncio.gather(*watchers), 30)

    final = PodrunProcess(tmp_path, ["serve"], env=env, port=port).start()
    try:
        api = Api(final.url)
        for execution_id, seen in received.items():
            log = await asyncio.wait_for(_log_of(api, execution_id), 60)
            where = f"execution {execution_id}"
            assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), where
            assert log[0]["__typename"] == "StatusEvent" and log[0]["status"] == "QUEUED", where
            assert [_is_terminal(e) for e in log].count(True) == 1, where
            assert _is_terminal(log[-1]), where
            record = await api.get(execution_id)
            assert record["status"] == log[-1]["status"], where
            for event in seen:
                assert log[event["seq"] - 1] == event, (where, event)
            for after in sorted({e["seq"] for e in seen})[-3:]:
                resumed = await asyncio.wait_for(_log_of(api, execution_id, after), 30)
                assert resumed == log[after:], (where, after)
    finally:
        final.stop()
