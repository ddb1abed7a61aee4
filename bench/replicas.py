"""Throughput of Podrun in distributed mode on this machine: N API processes and M worker
processes (local backend) on one SecantusDB store, against one API + one worker.

For each layout: submit `--executions` `print(1)` scripts, `--concurrency` in flight, spread
round-robin over the API processes; wait for each terminal event on a subscription to an API
other than the one it was submitted to (so every event crosses processes). Prints executions
per second, submit -> terminal latency p50/p90, and the store operations per execution (from
the store's opcounters, minus what the idle processes do in the same time: heartbeats).

    python3 bench/replicas.py --executions 200 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import MongoClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

WRITES = ("insert", "update", "delete")
READS = ("query", "getmore", "command")


@dataclass
class Layout:
    apis: int
    workers: int
    concurrency_per_worker: int

    @property
    def label(self) -> str:
        return f"{self.apis} API + {self.workers} worker (x{self.concurrency_per_worker})"


def opcounters(client: MongoClient[dict[str, Any]]) -> dict[str, int]:
    counters: dict[str, int] = client.admin.command("serverStatus")["opcounters"]
    return counters


def delta(before: dict[str, int], after: dict[str, int], keys: tuple[str, ...]) -> int:
    return sum(after.get(k, 0) - before.get(k, 0) for k in keys)


async def one(submit_to: Api, watch_on: Api) -> float:
    started = time.perf_counter()
    submitted = await submit_to.submit("print(1)")
    events = await watch_on.events(submitted["id"], timeout=120)
    assert events[-1]["status"] == "COMPLETED", events[-1]
    return time.perf_counter() - started


async def drive(apis: list[Api], executions: int, concurrency: int) -> tuple[float, list[float]]:
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def run(i: int) -> None:
        async with semaphore:
            latencies.append(await one(apis[i % len(apis)], apis[(i + 1) % len(apis)]))

    started = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(executions)))
    return time.perf_counter() - started, latencies


def measure(layout: Layout, store: StoreProcess, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="podrun-bench-replicas-"))
    env = {
        "PODRUN_MONGODB_URI": store.uri,
        "PODRUN_DATABASE": f"bench_{layout.apis}_{layout.workers}_{os.getpid()}",
        "PODRUN_MAX_CONCURRENCY": str(layout.concurrency_per_worker),
        "PODRUN_LOG_LEVEL": "WARNING",
    }
    processes = [
        PodrunProcess(workdir / f"w{i}", ["worker"], env=env) for i in range(layout.workers)
    ] + [
        PodrunProcess(workdir / f"a{i}", ["serve", "--no-worker"], env=env)
        for i in range(layout.apis)
    ]
    client: MongoClient[dict[str, Any]] = MongoClient(store.uri)
    try:
        for process in processes:
            process.start(wait=False)
        for process in processes:
            if process.args[0] == "serve":
                process.wait_healthy()
        time.sleep(3)  # workers registered and idle
        apis = [Api(p.url) for p in processes if p.args[0] == "serve"]
        asyncio.run(drive(apis, args.concurrency, args.concurrency))  # warm-up
        before = opcounters(client)
        elapsed, latencies = asyncio.run(drive(apis, args.executions, args.concurrency))
        after = opcounters(client)
        time.sleep(elapsed)  # the same time idle: background load to subtract
        idle = opcounters(client)
    finally:
        for process in processes:
            process.stop()
        client.close()
    latencies.sort()
    writes = delta(before, after, WRITES) - delta(after, idle, WRITES)
    reads = delta(before, after, READS) - delta(after, idle, READS)
    return {
        "layout": layout.label,
        "executions": args.executions,
        "concurrency": args.concurrency,
        "throughput_per_s": round(args.executions / elapsed, 1),
        "latency_p50_ms": round(statistics.median(latencies) * 1000),
        "latency_p90_ms": round(latencies[int(len(latencies) * 0.9) - 1] * 1000),
        "store_writes_per_execution": round(writes / args.executions, 1),
        "store_reads_per_execution": round(reads / args.executions, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args()
    layouts = [Layout(1, 1, 8), Layout(2, 2, 4), Layout(2, 2, 8)]
    store = StoreProcess(Path(tempfile.mkdtemp(prefix="podrun-bench-store-"))).start()
    try:
        print(f"machine: {os.cpu_count()} cores; one SecantusDB store; local backend")
        for layout in layouts:
            result = measure(layout, store, args)
            if args.json:
                print(json.dumps(result))
            else:
                print(
                    f"{result['layout']:<28} {result['throughput_per_s']:>6} exec/s  "
                    f"p50 {result['latency_p50_ms']:>5} ms  p90 {result['latency_p90_ms']:>5} ms  "
                    f"store writes/exec {result['store_writes_per_execution']:>5}  "
                    f"reads/exec {result['store_reads_per_execution']:>6}"
                )
    finally:
        store.stop()


if __name__ == "__main__":
    main()
