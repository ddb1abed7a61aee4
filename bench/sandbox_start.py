"""Start-up cost of a local sandbox: bare `python3 -c 'print(1)'` vs. a full sandbox run.

Run as root on the worker host: `python bench/sandbox_start.py [--runs N]`. Prints p50/p90
in milliseconds; figures, not assertions.

- bare python: fork+exec of /usr/bin/python3 -c 'print(1)' until it exits.
- sandbox (cgroups): `launch()` of `print(1)` until `SandboxFinished` — cgroup create+limit,
  sh prelude joining the cgroup, setpriv, bwrap with seccomp, the script, tree kill check,
  counters, cgroup removal.
- sandbox (no cgroups): the same without cgroups (what the cgroup part costs).
- launch() only: how long `launch()` itself takes (the part that runs in the event loop).
- warm sandbox: the same through a warm sandbox that has been waiting (a pause between runs
  lets the pool refill): limits written at hand-over, script through the pipe, until
  `SandboxFinished`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxFinished, SandboxSpec


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=10, method="inclusive")
    return statistics.median(ordered), cuts[8]


def report(name: str, samples: list[float]) -> None:
    p50, p90 = percentiles(samples)
    print(f"{name:<28} p50 {p50:7.2f} ms   p90 {p90:7.2f} ms   (n={len(samples)})")


async def timed(runs: int, once: Callable[[], Awaitable[None]], pause: float = 0.0) -> list[float]:
    samples = []
    for _ in range(3):
        await once()  # warm up caches
    for _ in range(runs):
        await asyncio.sleep(pause)
        started = time.perf_counter()
        await once()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bare_python(runs: int) -> list[float]:
    """The same fork+exec+wait a shell would do."""
    samples = []
    for attempt in range(runs + 3):
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/python3", "-c", "print(1)"], check=True, stdout=subprocess.DEVNULL
        )
        if attempt >= 3:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def sandbox_run(
    backend: LocalSandboxBackend, launch_only: list[float]
) -> Callable[[], Awaitable[None]]:
    runtime = next(r for r in backend.runtimes() if r.default)
    spec = SandboxSpec(execution_id="bench", runtime=runtime, script="print(1)", limits=Limits())

    async def once() -> None:
        started = time.perf_counter()
        handle = await backend.launch(spec)
        launch_only.append((time.perf_counter() - started) * 1000)
        async for observation in handle.observations():
            if isinstance(observation, SandboxFinished):
                assert observation.outcome.exit_code == 0, observation.outcome

    return once


async def sandboxes(runs: int) -> None:
    limited = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await limited.start()
    launch_only: list[float] = []
    try:
        samples = await timed(runs, sandbox_run(limited, launch_only))
        report(f"sandbox (cgroup {limited.cgroup_version})", samples)
        report("  of which launch()", launch_only[3:])  # blocks the event loop this long
    finally:
        await limited.close()

    warm = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=2))
    await warm.start()
    try:
        samples = await timed(runs, sandbox_run(warm, []), pause=0.2)
        report(f"warm sandbox (cgroup {warm.cgroup_version})", samples)
    finally:
        await warm.close()

    unlimited = LocalSandboxBackend(LocalBackendConfig(cgroups="none", warm_sandboxes=0))
    await unlimited.start()
    try:
        report("sandbox (no cgroups)", await timed(runs, sandbox_run(unlimited, [])))
    finally:
        await unlimited.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    runs = parser.parse_args().runs
    report("bare python3 print(1)", bare_python(runs))
    asyncio.run(sandboxes(runs))


if __name__ == "__main__":
    main()
