"""The data-science case end to end: `import pandas, matplotlib; plot; show()` through a
fresh `podrun serve` (the datascience runtime, its plot a PNG display event) next to the
same script run by the bare interpreter on the host with the same package tree, as a ratio.

Builds the environment first if it is not built yet (into PODRUN_LOCAL_ENVIRONMENTS_DIR,
default /var/tmp/podrun-bench-environments; the first build takes a minute or two).
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
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.client import Api
from tests.support.servers import PodrunProcess

SCRIPT = """
import pandas as pd
import matplotlib.pyplot as plt
frame = pd.DataFrame({"x": range(50), "y": [i * i for i in range(50)]})
frame.plot(x="x", y="y")
plt.show()
"""
HOST_SCRIPT = "import matplotlib; matplotlib.use('Agg')\n" + SCRIPT.replace(
    "plt.show()", "import io; plt.savefig(io.BytesIO(), format='png')"
)


def build(directory: Path) -> Path:
    """The datascience tree under `directory`, built (and checked) if needed."""
    import tests.support.environments as environments

    environments.CACHE = directory
    return asyncio.run(environments.build_datascience())


async def sandboxed(url: str, samples: int) -> list[float]:
    api = Api(url)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        execution = await api.run(SCRIPT, runtime="python3-datascience", timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        if execution["status"] != "COMPLETED":
            raise RuntimeError(f"{execution['id']} ended {execution['status']}")
        events = await api.events(execution["id"])
        if not any(e.get("mimeType") == "image/png" for e in events):
            raise RuntimeError("no PNG display arrived")
    return times


async def bare(tree: Path, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            "/usr/bin/python3", "-c", HOST_SCRIPT,
            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()},
        )  # fmt: skip
        if await process.wait() != 0:
            raise RuntimeError("the bare run failed")
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    directory = Path(
        os.environ.get("PODRUN_LOCAL_ENVIRONMENTS_DIR", "/var/tmp/podrun-bench-environments")
    )
    tree = build(directory)
    workdir = Path(tempfile.mkdtemp(prefix="podrun-bench-ds-"))
    server = PodrunProcess(
        workdir,
        ["serve"],
        env={
            "PODRUN_DATA_DIR": str(workdir / "data"),
            "PODRUN_LOG_LEVEL": "WARNING",
            "PODRUN_LOCAL_ENVIRONMENTS": json.dumps(["datascience"]),
            "PODRUN_LOCAL_ENVIRONMENTS_DIR": str(directory),
        },
    ).start()
    try:
        for _ in range(600):  # ready once checked in a sandbox
            query = {"query": "{ runtimes { aliases status { state } } }"}
            runtimes = httpx.post(f"{server.url}/graphql", json=query).json()["data"]["runtimes"]
            science = next(r for r in runtimes if "python3-datascience" in r["aliases"])
            if science["status"]["state"] == "READY":
                break
            time.sleep(0.1)
        inside = asyncio.run(sandboxed(server.url, args.samples))
    finally:
        server.stop()
    host = asyncio.run(bare(tree, args.samples))
    print(f"import pandas, matplotlib; plot; show() — {args.samples} runs each")
    print(f"bare /usr/bin/python3 on the host:   median {statistics.median(host):7.0f} ms")
    print(f"end to end through podrun (sandbox): median {statistics.median(inside):7.0f} ms")
    print(f"ratio: {statistics.median(inside) / statistics.median(host):.2f}x")


if __name__ == "__main__":
    main()
