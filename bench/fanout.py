"""Fan-out: many subscribers, each on its own WebSocket, watching executions that print.

Case A (one execution, many watchers): `--watchers` sockets (default 1000) subscribe to one
execution that prints a timestamped line every 50 ms. Case B (many executions, few watchers
each): `--executions` executions (default 200), each watched by `--per-execution` sockets
(default 5). Prints, per case: events and lines delivered against expected, the delivery
lag (line printed in the sandbox -> line received by a subscriber; one host clock) p50/p99,
and the server's CPU per delivered event.

The watchers live in client subprocesses (`--client`), so the server's figures are its own;
on two cores they still compete with the server for CPU, which the lag includes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.end_to_end import cpu_ms, pct, store_record
from tests.support.servers import PodrunProcess

MUTATION = (
    "mutation($s: String!, $t: Float!) { executeScript(input: {script: $s, limits: "
    "{timeoutSeconds: $t}}) { ... on Execution { id } ... on InputError { message } } }"
)
EVENTS = (
    "subscription($id: ID!) { executionEvents(id: $id) { __typename "
    "... on StatusEvent { seq status } ... on OutputEvent { seq stream data } } }"
)
TERMINAL = {"COMPLETED", "FAILED", "TIMED_OUT", "OOM_KILLED", "OUTPUT_LIMIT_EXCEEDED", "ERROR"}

# Waits until a wall-clock start (every watcher subscribed by then), then prints one
# timestamped line every 50 ms.
SCRIPT = """
import time
time.sleep(max(0.0, {start} - time.time()))
for i in range({lines}):
    print(i, time.time(), flush=True)
    time.sleep(0.05)
"""


async def watch(url: str, execution_id: str, ready: asyncio.Event) -> dict[str, Any]:
    try:
        return await _watch(url, execution_id, ready)
    except (OSError, websockets.WebSocketException, RuntimeError) as error:
        ready.set()
        return {"lags": [], "events": 0, "lines": 0, "error": repr(error)}


async def _watch(url: str, execution_id: str, ready: asyncio.Event) -> dict[str, Any]:
    lags: list[float] = []
    events = 0
    lines = 0
    pending = ""
    async with websockets.connect(
        url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")], max_size=None
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": EVENTS, "variables": {"id": execution_id}},
                }
            )
        )
        ready.set()
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "complete":
                break
            if message["type"] != "next":
                raise RuntimeError(f"unexpected message {message}")
            event = message["payload"]["data"]["executionEvents"]
            events += 1
            now = time.time()
            if event["__typename"] == "OutputEvent":
                # An event may end inside a line: count lines as they complete.
                pending += event["data"]
                *complete, pending = pending.split("\n")
                for line in complete:
                    lines += 1
                    lags.append((now - float(line.split()[1])) * 1000)
            elif event.get("status") in TERMINAL:
                break
    return {"lags": lags, "events": events, "lines": lines}


async def client_main(url: str, ids: list[str], per: int) -> None:
    ready = [asyncio.Event() for _ in range(len(ids) * per)]
    tasks = []
    # Connect in small waves: a thousand handshakes at once only measures the accept queue.
    for n, execution_id in enumerate(i for i in ids for _ in range(per)):
        tasks.append(asyncio.create_task(watch(url, execution_id, ready[n])))
        if n % 50 == 49:
            await asyncio.gather(*(r.wait() for r in ready[: n + 1]))
    await asyncio.gather(*(r.wait() for r in ready))
    print(json.dumps({"ready": True}), flush=True)
    results = await asyncio.gather(*tasks)
    print(json.dumps({"results": results}), flush=True)


def run_case(
    server_url: str, pid: int | None, executions: int, per: int, lines: int, clients: int
) -> dict[str, Any]:
    ws_url = server_url.replace("http", "ws", 1) + "/graphql"
    # The scripts wait for a start time; submit them with one far enough ahead to connect.
    connect_budget = 10 + executions * per / 40
    start = time.time() + connect_budget
    script = SCRIPT.format(start=start, lines=lines)
    with httpx.Client(base_url=server_url, timeout=30) as http:
        ids = []
        for _ in range(executions):
            answer = http.post(
                "/graphql",
                json={
                    "query": MUTATION,
                    "variables": {"s": script, "t": int(connect_budget + lines * 0.05 + 30)},
                },
            ).json()
            if "id" not in ((answer.get("data") or {}).get("executeScript") or {}):
                raise RuntimeError(f"submission refused: {answer}")
            ids.append(answer["data"]["executeScript"]["id"])
    # Few executions: every client process watches all of them with its share of watchers.
    if executions >= clients:
        plan = [(ids[i::clients], per) for i in range(clients)]
    else:
        plan = [(ids, part) for part in _split(per, clients)]
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--client", ws_url, "--per", str(n), *share],
            stdout=subprocess.PIPE,
            text=True,
        )
        for share, n in plan
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["ready"]
    late = time.time() > start
    before = cpu_ms(pid) if pid else None
    results: list[dict[str, Any]] = []
    for proc in procs:
        assert proc.stdout is not None
        results.extend(json.loads(proc.stdout.readline())["results"])
        proc.wait()
    after = cpu_ms(pid) if pid else None
    lags = [lag for r in results for lag in r["lags"]]
    events = sum(r["events"] for r in results)
    cpu = (after[0] - before[0]) / events if before and after and events else None
    return {
        "watchers": len(results),
        "lines": sum(r["lines"] for r in results),
        "expected_lines": executions * per * lines,
        "events": events,
        "lags": lags,
        "cpu_per_event_ms": cpu,
        "late": late,
        "errors": [r["error"] for r in results if "error" in r],
    }


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def report(name: str, result: dict[str, Any]) -> None:
    lags = result["lags"]
    print(
        f"{name}: {result['watchers']} watchers, lines delivered {result['lines']}"
        f"/{result['expected_lines']} in {result['events']} events"
        + (" (some watchers subscribed after the start)" if result["late"] else "")
    )
    if result["errors"]:
        print(f"  {len(result['errors'])} watchers failed, first: {result['errors'][0]}")
    if lags:
        print(f"  delivery lag p50 {pct(lags, 50):7.1f} ms   p99 {pct(lags, 99):7.1f} ms")
    if result["cpu_per_event_ms"] is not None:
        print(f"  server CPU per delivered event: {result['cpu_per_event_ms'] * 1000:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--per-execution", type=int, default=5)
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--url", help="measure a running server instead of starting one")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--per", type=int, help=argparse.SUPPRESS)
    parser.add_argument("ids", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(client_main(args.client, args.ids, args.per))
        return
    server = None
    pid = None
    if args.url is None:
        workdir = Path(tempfile.mkdtemp(prefix="podrun-fanout-"))
        server = PodrunProcess(
            workdir,
            ["serve"],
            env={
                "PODRUN_DATA_DIR": str(workdir / "data"),
                "PODRUN_MAX_CONCURRENCY": str(max(8, args.executions)),
                "PODRUN_LOG_LEVEL": "WARNING",
                "PODRUN_QUOTA_ANONYMOUS_PER_MINUTE": "1000000",
                "PODRUN_QUOTA_ANONYMOUS_CONCURRENT": "100000",
            },
        ).start()
        assert server.process is not None
        pid = server.process.pid
        store_record(workdir / "data")
    url = args.url or (server.url if server else "")
    try:
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        )
        if args.watchers:
            report(
                "one execution",
                run_case(url, pid, 1, args.watchers, args.lines, args.clients),
            )
        if args.executions:
            report(
                f"{args.executions} executions",
                run_case(url, pid, args.executions, args.per_execution, args.lines, args.clients),
            )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
