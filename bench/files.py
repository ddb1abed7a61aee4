"""Cost of files in and out of a local sandbox, next to a plain run.

Run as root on the worker host: `python bench/files.py [--runs N]`. Prints p50/p90 in
milliseconds, from `launch()` until `SandboxFinished`; figures, not assertions.

- plain run: `pass`, nothing given, nothing left.
- 10 files in: ten 1 MiB input files unpacked under /work before the script (`pass`) runs.
- 10 files out: the script writes ten 1 MiB files, packed and parsed when it ends.
Both with a 64 MiB disk (and 256 MiB memory, since the disk is at most half of it). The
store's part (GridFS, measured separately at ~140 ms per 5 MiB) is not included.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import time

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.files import FileCollection, FileContent
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxFinished, SandboxSpec

MIB = 1024 * 1024
LIMITS = Limits(disk_mib=64, memory_mib=256, timeout_seconds=20)
WRITE_TEN = "for i in range(10):\n    open(f'out{i}.bin', 'wb').write(bytes(1 << 20))\n"


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8]
    p50 = statistics.median(ordered)
    print(f"{name:<16} p50 {p50:7.2f} ms   p90 {p90:7.2f} ms   (n={len(samples)})")


async def once(backend: LocalSandboxBackend, spec: SandboxSpec) -> None:
    handle = await backend.launch(spec)
    async for observation in handle.observations():
        if isinstance(observation, SandboxFinished):
            outcome = observation.outcome
            assert outcome.exit_code == 0, outcome
            if spec.script == WRITE_TEN:
                assert len(outcome.files) == 10, outcome.skipped_files


async def main(runs: int) -> None:
    backend = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await backend.start()
    try:
        runtime = next(r for r in backend.runtimes() if r.default)
        base = SandboxSpec(
            "bench", runtime, "pass", LIMITS, collect=FileCollection.for_limits(LIMITS)
        )
        inputs = tuple(FileContent(f"in{i}.bin", os.urandom(MIB)) for i in range(10))
        cases = {
            "plain run": base,
            "10 files in": dataclasses.replace(base, files=inputs),
            "10 files out": dataclasses.replace(base, script=WRITE_TEN),
        }
        for name, spec in cases.items():
            samples = []
            for attempt in range(runs + 2):
                started = time.perf_counter()
                await once(backend, spec)
                if attempt >= 2:  # warm up caches first
                    samples.append((time.perf_counter() - started) * 1000)
            report(name, samples)
    finally:
        await backend.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))
