"""`import matplotlib.pyplot` in a datascience sandbox, with the font cache the environment
build made and without it (the script first deletes the copy the environment's
`sitecustomize` put in the sandbox's cache directory: what every run paid before, since
matplotlib rebuilds its font list when its cache directory has none).

Run as root on the worker host: `python bench/matplotlib_import.py [--runs N]`. Builds the
environment first if needed (into /var/tmp/podrun-test-environments, the tests' tree).
Prints the import's own time, measured inside the sandbox, and the whole run's wall time;
figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.adapters.sandbox.local.environments import EnvironmentBuilder, definitions
from service.domain.limits import Limits
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxFinished, SandboxOutput, SandboxSpec
from tests.support.environments import CACHE, build_datascience

SCRIPT = """
import time
started = time.perf_counter()
import matplotlib.pyplot
print((time.perf_counter() - started) * 1000)
"""


UNCACHED = """
import glob, os
for name in glob.glob("/tmp/.cache/matplotlib/fontlist-*.json"):
    os.remove(name)
"""


async def once(backend: LocalSandboxBackend, runtime: Runtime, script: str) -> tuple[float, float]:
    started = time.perf_counter()
    spec = SandboxSpec(
        execution_id=f"bench-{time.monotonic_ns()}",
        runtime=runtime,
        script=script,
        limits=Limits(timeout_seconds=30, memory_mib=256),
    )
    handle = await backend.launch(spec)
    stdout = bytearray()
    outcome = None
    async for observation in handle.observations():
        if isinstance(observation, SandboxOutput):
            stdout += observation.data
        elif isinstance(observation, SandboxFinished):
            outcome = observation.outcome
    if outcome is None or outcome.exit_code != 0:
        raise RuntimeError(f"the run failed: {outcome}")
    return float(stdout.decode().split()[-1]), (time.perf_counter() - started) * 1000


async def main(runs: int) -> None:
    backend = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await backend.start()
    try:
        await build_datascience(backend)
        base = next(r for r in backend.runtimes() if r.default)
        runtime = EnvironmentBuilder(CACHE).built(base, definitions()["datascience"])
        assert runtime is not None
        cases = {
            "pre-built font cache": SCRIPT,
            "no font cache (rebuilt)": UNCACHED + SCRIPT,
        }
        print(f"import matplotlib.pyplot in a datascience sandbox, {runs} runs each")
        for name, script in cases.items():
            samples = [await once(backend, runtime, script) for _ in range(runs)]
            imports = statistics.median(s[0] for s in samples)
            walls = statistics.median(s[1] for s in samples)
            print(f"{name:<26} import median {imports:7.0f} ms   run median {walls:7.0f} ms")
    finally:
        await backend.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
