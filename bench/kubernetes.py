"""Warm against cold pods: `podrun serve` on the emulated cluster with a simulated start delay.

Run with `task bench -- --kubernetes` (or `python3 bench/kubernetes.py`). No cluster is
needed: the test suite's emulator (kmock's KubernetesEmulator over real HTTP, and the
simulated kubelet that runs each pod with the real runner) gets a pod start delay
(`--start-delay`, default 1.5 s: what scheduling, the image and the container start cost a
real cold pod), and a real `podrun serve` runs against it twice: without a warm pool, and
with one (`--warm` pods of the default runtime).

Prints, for each: time to first output (mutation sent -> first OutputEvent received on the
subscription) and end-to-end latency (-> terminal event) p50/p90 of sequential runs, paced
so the pool refills between them; then a burst of `--burst` concurrent executions (more
than the pool holds): its latencies, and the pool's hit rate and refill time from
`/metrics`. Figures, not assertions; the emulator's own costs (Python, loopback HTTP, a real
interpreter per pod) are in both columns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "kubernetes"))
from k8s_cluster import running_cluster  # noqa: E402
from k8s_podrun import write_kubeconfig  # noqa: E402

from bench.end_to_end import Multiplexed  # noqa: E402
from tests.support.servers import PodrunProcess  # noqa: E402

MUTATION = (
    "mutation($s: String!) { executeScript(input: {script: $s}) { ... on Execution { id } } }"
)
EVENTS = (
    "subscription($id: ID!) { executionEvents(id: $id) { __typename "
    "... on StatusEvent { status } } }"
)
TERMINAL = {"COMPLETED", "FAILED", "TIMED_OUT", "OOM_KILLED", "OUTPUT_LIMIT_EXCEEDED"}
TERMINAL |= {"CANCELLED", "ERROR"}
SCRIPT = "print(1)"


class Timings(Multiplexed):
    """Many subscriptions over one graphql-transport-ws connection, timed per execution."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.first_output: dict[str, float] = {}

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if message["type"] != "next":
                continue
            event = message["payload"]["data"]["executionEvents"]
            op = message["id"]
            if event["__typename"] == "OutputEvent":
                self.first_output.setdefault(op, time.perf_counter())
            elif event.get("status") in TERMINAL:
                future = self.waiters.pop(op, None)
                if future and not future.done():
                    future.set_result(event["status"])

    async def follow(self, execution_id: str) -> tuple[str, str]:
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
        return op, await future


async def one_run(http: httpx.AsyncClient, timings: Timings, url: str) -> tuple[float, float]:
    """(ms to first output, ms to the terminal event)."""
    started = time.perf_counter()
    response = await http.post(url, json={"query": MUTATION, "variables": {"s": SCRIPT}})
    execution_id = response.json()["data"]["executeScript"]["id"]
    op, status = await timings.follow(execution_id)
    ended = time.perf_counter()
    if status != "COMPLETED":
        raise RuntimeError(f"{execution_id} ended {status}")
    first = timings.first_output.get(op, ended)
    return (first - started) * 1000, (ended - started) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def metric(text: str, name: str) -> float:
    """The sum of a metric's samples over its labels (0 when absent)."""
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", re.MULTILINE)
    return sum(float(value) for value in pattern.findall(text))


async def measure(
    server: PodrunProcess, samples: int, burst: int, pause: float, warm: int
) -> dict[str, Any]:
    url = f"{server.url}/graphql"
    async with httpx.AsyncClient(timeout=120) as http, Timings("ws" + url[4:]) as timings:
        if warm:  # until the pool is full
            for _ in range(600):
                text = (await http.get(f"{server.url}/metrics")).text
                ready = re.search(r'podrun_warm_pool_pods\{[^}]*state="ready"[^}]*\} (\S+)', text)
                if ready and float(ready.group(1)) >= warm:
                    break
                await asyncio.sleep(0.1)
        await one_run(http, timings, url)  # warm-up (connections, imports)
        sequential = []
        for _ in range(samples):
            await asyncio.sleep(pause)  # the pool refills meanwhile
            sequential.append(await one_run(http, timings, url))
        await asyncio.sleep(pause)
        before = (await http.get(f"{server.url}/metrics")).text
        started = time.perf_counter()
        bursted = await asyncio.gather(*(one_run(http, timings, url) for _ in range(burst)))
        elapsed = time.perf_counter() - started
        after = (await http.get(f"{server.url}/metrics")).text
    hits = metric(after, "podrun_warm_pool_hits_total") - metric(
        before, "podrun_warm_pool_hits_total"
    )
    misses = metric(after, "podrun_warm_pool_misses_total") - metric(
        before, "podrun_warm_pool_misses_total"
    )
    refills = metric(after, "podrun_warm_pool_refill_seconds_count")
    refill_sum = metric(after, "podrun_warm_pool_refill_seconds_sum")
    return {
        "first": [s[0] for s in sequential],
        "e2e": [s[1] for s in sequential],
        "burst_first": [b[0] for b in bursted],
        "burst_e2e": [b[1] for b in bursted],
        "burst_seconds": elapsed,
        "hit_rate": hits / (hits + misses) if hits + misses else 0.0,
        "hits": hits,
        "misses": misses,
        "refill_mean_ms": refill_sum / refills * 1000 if refills else None,
    }


async def run_setup(args: argparse.Namespace, warm: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="podrun-bench-k8s-"))
    async with running_cluster(workdir / "node") as (_emulator, kubelet, url):
        kubelet.start_delay_seconds = args.start_delay
        env = {
            "PODRUN_DATA_DIR": str(workdir / "data"),
            "PODRUN_BACKEND": "kubernetes",
            "PODRUN_K8S_KUBECONFIG": str(write_kubeconfig(workdir, url)),
            "PODRUN_K8S_IMAGES": json.dumps({"python3.11": "ghcr.io/podrun/runner:3.11"}),
            "PODRUN_K8S_DEFAULT_RUNTIME": "python3.11",
            "PODRUN_K8S_WARM_PODS": json.dumps({"python3.11": warm} if warm else {}),
            "PODRUN_MAX_CONCURRENCY": str(max(16, args.burst)),
            "PODRUN_LOG_LEVEL": "WARNING",
            "PODRUN_QUOTA_ANONYMOUS_PER_MINUTE": "1000000",
            "PODRUN_QUOTA_ANONYMOUS_CONCURRENT": "100000",
        }
        server = PodrunProcess(workdir / "serve", ["serve"], env=env)
        await asyncio.to_thread(server.start)  # the emulator runs in this loop
        try:
            return await measure(server, args.samples, args.burst, args.pause, warm)
        finally:
            await asyncio.to_thread(server.stop)


def row(name: str, values: list[float]) -> str:
    return (
        f"  {name:<34} min {min(values):6.0f} ms   p50 {pct(values, 50):6.0f} ms"
        f"   p90 {pct(values, 90):6.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kubernetes", action="store_true", help="(accepted: `task bench`)")
    parser.add_argument("--start-delay", type=float, default=1.5, help="cold pod start, s")
    parser.add_argument("--warm", type=int, default=4, help="warm pods of the default runtime")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--burst", type=int, default=10, help="concurrent executions")
    parser.add_argument("--pause", type=float, default=None, help="between runs, s")
    args = parser.parse_args(argv)
    if args.pause is None:
        args.pause = args.start_delay + 0.5  # enough for a replacement pod to start
    print(
        f"emulated cluster, simulated pod start delay {args.start_delay:g} s, "
        f"{args.samples} sequential runs of {SCRIPT}, then a burst of {args.burst}"
    )
    for label, warm in (("cold pods (no pool)", 0), (f"warm pool of {args.warm}", args.warm)):
        result = asyncio.run(run_setup(args, warm))
        print(label)
        print(row("time to first output", result["first"]))
        print(row("end-to-end (to the terminal event)", result["e2e"]))
        print(row(f"burst of {args.burst}: first output", result["burst_first"]))
        print(row(f"burst of {args.burst}: end-to-end", result["burst_e2e"]))
        if warm:
            refill = result["refill_mean_ms"]
            print(
                f"  burst pool hit rate {result['hit_rate']:.0%} "
                f"({result['hits']:.0f} hits, {result['misses']:.0f} misses); "
                f"mean refill {refill:.0f} ms"
                if refill is not None
                else ""
            )


if __name__ == "__main__":
    main()
