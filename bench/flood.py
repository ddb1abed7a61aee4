"""Fairness under an output flood: other tenants' `print(1)` latency, idle vs. during floods.

Starts a fresh `podrun serve` (or measures `--url`), then prints:
- idle: mutation sent -> terminal event received, p50/p90, for `print(1)` alone;
- flooded: the same while `--floods` executions each write one byte at a time, alternating
  stdout and stderr with a flush after each byte, for `--seconds` (or `--bytes`), each
  limited to `--flood-millicores` of CPU;
- the ratio flooded / idle (p50), and per flood: events, wall time, and how long after its
  sandbox ended its verdict arrived.
Idle is measured before and after the floods, in the same run.
Figures, not assertions. The client keeps one HTTP and one WebSocket connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.end_to_end import TERMINAL, Multiplexed, cpu_ms, one_run, pct
from tests.support.servers import PodrunProcess

# One byte at a time, alternating, flushed each time; for `seconds` or `pairs` pairs.
FLOOD = (
    "import sys, time\n"
    "o, e = sys.stdout, sys.stderr\n"
    "end = time.monotonic() + {seconds}\n"
    "for i in range({pairs}):\n"
    "    o.write('o'); o.flush(); e.write('e'); e.flush()\n"
    "    if i % 100 == 0 and time.monotonic() > end:\n"
    "        break\n"
)
FLOOD_MUTATION = (
    "mutation($s: String!, $cpu: Int!) { executeScript(input: {script: $s, limits: "
    "{cpuMillicores: $cpu, timeoutSeconds: 60, maxOutputBytes: 4194304}}) "
    "{ ... on Execution { id } } }"
)
RUN = "query($id: ID!) { execution(id: $id) { status finishedAt usage { wallTimeMs } startedAt } }"


@dataclass
class FloodRun:
    events: int
    wall_ms: float
    verdict_after_ms: float
    status: str


async def count_events(ws_url: str, execution_id: str) -> tuple[int, str, float]:
    """(events, terminal status, time.time() the terminal event arrived)."""
    async with websockets.connect(
        ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")], max_size=None
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = (
            "subscription($id: ID!) { executionEvents(id: $id) { __typename "
            "... on StatusEvent { status } } }"
        )
        await socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": {"id": execution_id}},
                }
            )
        )
        events = 0
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            if message["type"] != "next":
                continue
            events += 1
            status = message["payload"]["data"]["executionEvents"].get("status")
            if status in TERMINAL:
                return events, status, time.time()
    raise RuntimeError("the subscription ended without a terminal event")


async def flood_once(
    http: httpx.AsyncClient, url: str, ws_url: str, script: str, millicores: int
) -> FloodRun:
    response = await http.post(
        url,
        json={"query": FLOOD_MUTATION, "variables": {"s": script, "cpu": millicores}},
    )
    execution_id = response.json()["data"]["executeScript"]["id"]
    events, status, arrived = await count_events(ws_url, execution_id)
    record = (await http.post(url, json={"query": RUN, "variables": {"id": execution_id}})).json()
    execution = record["data"]["execution"]
    wall_ms = execution["usage"]["wallTimeMs"] if execution["usage"] else 0.0
    started = datetime.fromisoformat(execution["startedAt"].replace("Z", "+00:00")).timestamp()
    # The sandbox ended about startedAt + wall time; the verdict reached the client later.
    verdict_after = (arrived - started) * 1000 - wall_ms
    return FloodRun(events, wall_ms, verdict_after, status)


async def measure(
    server_url: str, samples: int, floods: int, script: str, millicores: int, pid: int | None
) -> dict[str, Any]:
    url = f"{server_url}/graphql"
    ws_url = "ws" + url[4:]
    async with httpx.AsyncClient(timeout=120) as http, Multiplexed(ws_url) as mux:
        for _ in range(5):  # warm-up
            await one_run(http, mux, url, "print(1)")
        idle = [await one_run(http, mux, url, "print(1)") for _ in range(samples)]
        tasks = [
            asyncio.create_task(flood_once(http, url, ws_url, script, millicores))
            for _ in range(floods)
        ]
        await asyncio.sleep(1.0)  # the floods are under way
        flooded: list[float] = []
        cpu_before, started = cpu_ms(pid)[0] if pid else 0.0, time.perf_counter()
        while len(flooded) < samples and not any(task.done() for task in tasks):
            flooded.append(await one_run(http, mux, url, "print(1)"))
            await asyncio.sleep(0.05)
        elapsed_ms = (time.perf_counter() - started) * 1000
        busy = (cpu_ms(pid)[0] - cpu_before) / elapsed_ms if pid else None
        runs = await asyncio.gather(*tasks)
        idle_after = [await one_run(http, mux, url, "print(1)") for _ in range(samples)]
    return {"idle": idle + idle_after, "flooded": flooded, "runs": runs, "busy": busy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--floods", type=int, default=4)
    parser.add_argument("--bytes", type=int, default=4_000_000, help="most bytes per flood")
    parser.add_argument("--seconds", type=float, default=8.0, help="longest a flood writes")
    parser.add_argument(
        "--flood-millicores",
        type=int,
        default=1000,
        help="CPU limit of each flood run (4 x 1000 oversubscribes a 2-core host by itself)",
    )
    parser.add_argument("--url", help="measure a running server instead of starting one")
    args = parser.parse_args()
    server = None
    pid: int | None = None
    if args.url is None:
        workdir = Path(tempfile.mkdtemp(prefix="podrun-bench-"))
        server = PodrunProcess(
            workdir,
            ["serve"],
            env={
                "PODRUN_DATA_DIR": str(workdir / "data"),
                "PODRUN_MAX_CONCURRENCY": "8",
                "PODRUN_LOG_LEVEL": "WARNING",
                "PODRUN_QUOTA_ANONYMOUS_PER_MINUTE": "1000000",
                "PODRUN_QUOTA_ANONYMOUS_CONCURRENT": "100000",
            },
        ).start()
        assert server.process is not None
        pid = server.process.pid
    try:
        result = asyncio.run(
            measure(
                args.url or server.url,
                args.samples,
                args.floods,
                FLOOD.format(pairs=args.bytes // 2, seconds=args.seconds),
                args.flood_millicores,
                pid,
            )
        )
    finally:
        if server is not None:
            server.stop()
    idle, flooded, runs = result["idle"], result["flooded"], result["runs"]
    print(f"idle print(1):    p50 {pct(idle, 50):7.1f} ms   p90 {pct(idle, 90):7.1f} ms")
    print(f"flooded print(1): p50 {pct(flooded, 50):7.1f} ms   p90 {pct(flooded, 90):7.1f} ms")
    print(f"ratio flooded / idle (p50): {pct(flooded, 50) / pct(idle, 50):.2f}x")
    print(f"  ({len(flooded)} samples while {args.floods} floods ran)")
    if result["busy"] is not None:
        print(f"podrun's own CPU while the floods ran: {result['busy']:.0%} of a core")
    print(
        f"floods: {args.floods} at once, one byte at a time alternating stdout/stderr,"
        f" {args.flood_millicores} millicores each"
    )
    events = [run.events for run in runs]
    lags = [run.verdict_after_ms for run in runs]
    print(f"  events per flood: p50 {pct(events, 50):.0f}  max {max(events)}")
    walls = [run.wall_ms / 1000 for run in runs]
    print(f"  flood sandbox wall time: p50 {pct(walls, 50):.1f} s")
    print(f"  verdict after the sandbox ended: p50 {pct(lags, 50):.0f} ms  max {max(lags):.0f} ms")
    statuses = sorted({run.status for run in runs})
    print(f"  verdicts: {', '.join(statuses)}")


if __name__ == "__main__":
    main()
