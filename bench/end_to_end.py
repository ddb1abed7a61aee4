"""End-to-end latency and throughput of a fresh `podrun serve` on this machine.

Prints: bare `python3 -c 'print(1)'` start p50/p90; mutation sent -> terminal event received
on the subscription p50/p90 for `print(1)`; their ratio; throughput at concurrency 8.
The client keeps one HTTP connection and one graphql-transport-ws connection open, as a real
app would, so the figures measure the server, not connection set-up.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.servers import PodrunProcess

MUTATION = (
    "mutation($s: String!) { executeScript(input: {script: $s}) { ... on Execution { id } } }"
)
EVENTS = (
    "subscription($id: ID!) { executionEvents(id: $id) { __typename "
    "... on StatusEvent { status } } }"
)
# The interpreter the sandbox runs (the default local runtime), not a PATH shim.
BARE_PYTHON = "/usr/bin/python3"
TERMINAL = {
    "COMPLETED",
    "FAILED",
    "TIMED_OUT",
    "OOM_KILLED",
    "OUTPUT_LIMIT_EXCEEDED",
    "CANCELLED",
    "ERROR",
}


class Multiplexed:
    """Many subscriptions over one graphql-transport-ws connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ids = itertools.count(1)
        self.waiters: dict[str, asyncio.Future[str]] = {}

    async def __aenter__(self) -> Multiplexed:
        self.socket = await websockets.connect(
            self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")], max_size=None
        )
        await self.socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await self.socket.recv())["type"] == "connection_ack"
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.socket.close()

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if message["type"] == "next":
                event = message["payload"]["data"]["executionEvents"]
                if event.get("status") in TERMINAL:
                    future = self.waiters.pop(message["id"], None)
                    if future and not future.done():
                        future.set_result(event["status"])
            elif message["type"] == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))

    async def until_terminal(self, execution_id: str) -> str:
        op = str(next(self.ids))
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.waiters[op] = future
        await self.socket.send(
            json.dumps(
                {
                    "id": op,
                    "type": "subscribe",
                    "payload": {"query": EVENTS, "variables": {"id": execution_id}},
                }
            )
        )
        return await future


async def one_run(http: httpx.AsyncClient, mux: Multiplexed, url: str, script: str) -> float:
    started = time.perf_counter()
    response = await http.post(url, json={"query": MUTATION, "variables": {"s": script}})
    execution_id = response.json()["data"]["executeScript"]["id"]
    status = await mux.until_terminal(execution_id)
    if status != "COMPLETED":
        raise RuntimeError(f"{execution_id} ended {status}")
    return (time.perf_counter() - started) * 1000


async def bare_python(samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            BARE_PYTHON, "-c", "print(1)", stdout=asyncio.subprocess.PIPE
        )
        await process.communicate()
        times.append((time.perf_counter() - started) * 1000)
    return times


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def cpu_ms(pid: int) -> tuple[float, float]:
    """(own, reaped children) CPU milliseconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) * tick
    children = (int(fields[13]) + int(fields[14])) * tick
    return own, children


def store_record(data_dir: Path) -> tuple[int, int] | None:
    """(pid, port) of the embedded store a server started."""
    try:
        record = json.loads((data_dir / "store.json").read_text())
        return int(record["pid"]), int(record["port"])
    except (OSError, ValueError, KeyError):
        return None


async def store_ops(port: int | None) -> dict[str, int]:
    """The store's operation counters (serverStatus.opcounters)."""
    if port is None:
        return {}
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true"
    )
    try:
        status = await client.admin.command("serverStatus")
        return {k: int(v) for k, v in status.get("opcounters", {}).items()}
    finally:
        await client.close()


async def measure(
    server_url: str,
    samples: int,
    total: int,
    concurrency: int,
    pids: tuple[int | None, int | None] = (None, None),
    store_port: int | None = None,
) -> dict[str, Any]:
    url = f"{server_url}/graphql"
    ws_url = "ws" + url[4:]
    async with httpx.AsyncClient(timeout=60) as http, Multiplexed(ws_url) as mux:
        for _ in range(5):  # warm-up
            await one_run(http, mux, url, "print(1)")
        bare = await bare_python(samples)
        latencies = [await one_run(http, mux, url, "print(1)") for _ in range(samples)]
        queue = asyncio.Queue[int]()
        for i in range(total):
            queue.put_nowait(i)

        async def client() -> None:
            while not queue.empty():
                queue.get_nowait()
                await one_run(http, mux, url, "print(1)")

        server_pid, db_pid = pids
        ops_before = await store_ops(store_port)
        before = (cpu_ms(server_pid) if server_pid else None, cpu_ms(db_pid) if db_pid else None)
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        after = (cpu_ms(server_pid) if server_pid else None, cpu_ms(db_pid) if db_pid else None)
        ops_after = await store_ops(store_port)
    ops = {
        name: (ops_after[name] - ops_before.get(name, 0)) / total
        for name in ops_after
        if ops_after[name] != ops_before.get(name, 0)
    }
    cpu: dict[str, float] = {}
    if before[0] and after[0]:
        cpu["podrun"] = (after[0][0] - before[0][0]) / total
        cpu["sandboxes"] = (after[0][1] - before[0][1]) / total
    if before[1] and after[1]:
        cpu["store"] = (after[1][0] - before[1][0]) / total
    return {
        "bare": bare,
        "e2e": latencies,
        "throughput": total / elapsed,
        "cpu": cpu,
        "ops": ops,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--total", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--url", help="measure a running server instead of starting one")
    parser.add_argument(
        "--kubernetes",
        action="store_true",
        help="warm against cold pods on the emulated cluster instead (bench/kubernetes.py)",
    )
    args, rest = parser.parse_known_args()
    if args.kubernetes:
        from bench.kubernetes import main as kubernetes_main

        kubernetes_main(sys.argv[1:])  # its own options (--samples means its own too)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    server = None
    pids: tuple[int | None, int | None] = (None, None)
    port: int | None = None
    if args.url is None:
        workdir = Path(tempfile.mkdtemp(prefix="podrun-bench-"))
        server = PodrunProcess(
            workdir,
            ["serve"],
            env={
                "PODRUN_DATA_DIR": str(workdir / "data"),
                "PODRUN_MAX_CONCURRENCY": str(max(8, args.concurrency)),
                "PODRUN_LOG_LEVEL": "WARNING",
                # The benchmark is one anonymous client sending far more than the default
                # anonymous quota allows.
                "PODRUN_QUOTA_ANONYMOUS_PER_MINUTE": "1000000",
                "PODRUN_QUOTA_ANONYMOUS_CONCURRENT": "100000",
            },
        ).start()
        assert server.process is not None
        record = store_record(workdir / "data")
        pids = (server.process.pid, record[0] if record else None)
        port = record[1] if record else None
    try:
        result = asyncio.run(
            measure(args.url or server.url, args.samples, args.total, args.concurrency, pids, port)
        )
    finally:
        if server is not None:
            server.stop()
    bare, e2e = result["bare"], result["e2e"]
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"bare {BARE_PYTHON} -c 'print(1)':"
        f" p50 {pct(bare, 50):7.1f} ms   p90 {pct(bare, 90):7.1f} ms"
    )
    print(
        f"end-to-end print(1) (mutation -> terminal event):"
        f" p50 {pct(e2e, 50):7.1f} ms   p90 {pct(e2e, 90):7.1f} ms"
    )
    print(f"ratio end-to-end / bare (p50):  {pct(e2e, 50) / pct(bare, 50):.2f}x")
    print(
        f"throughput at concurrency {args.concurrency}: {result['throughput']:.1f} executions/s"
        f" ({args.total} executions)"
    )
    print(f"mean end-to-end: {statistics.mean(e2e):.1f} ms")
    if result["cpu"]:
        parts = ", ".join(f"{name} {ms:.1f} ms" for name, ms in result["cpu"].items())
        print(f"CPU per execution under load: {parts}")
    if result["ops"]:
        parts = ", ".join(f"{name} {n:.2f}" for name, n in sorted(result["ops"].items()))
        print(f"store operations per execution: {parts}")


if __name__ == "__main__":
    main()
