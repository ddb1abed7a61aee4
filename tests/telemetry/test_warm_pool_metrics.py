"""The local backend's warm sandboxes report the `podrun_warm_pool_*` metrics the Kubernetes
pool reports (same names and labels), so one dashboard reads both backends.

A real server in this process (uvicorn on loopback) with the local backend and its default
two warm sandboxes; the test reads /metrics as Prometheus would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from service.entrypoints.http.app import create_app
from service.entrypoints.wiring import start_podrun
from service.settings import Settings
from tests.support.client import Api
from tests.support.servers import StoreProcess, free_port


@pytest.fixture(scope="module")
async def warm_api(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Api]:
    settings = Settings(
        mongodb_uri=store.uri,
        database="warmmetrics",
        data_dir=Path(tmp_path_factory.mktemp("w")),
        local_warm_sandboxes=2,
    )
    app = create_app(lambda: start_podrun(settings))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "server failed to start"
        await asyncio.sleep(0.05)
    yield Api(f"http://127.0.0.1:{port}")
    server.should_exit = True
    await task


async def _metrics(api: Api) -> dict[str, float]:
    base = api.client.url.removesuffix("/graphql")
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{base}/metrics")).text
    samples = {}
    for line in text.splitlines():
        if line.startswith("podrun_warm_pool_"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


async def _until_ready(api: Api, runtime: str, ready: int) -> dict[str, float]:
    key = f'podrun_warm_pool_pods{{runtime="{runtime}",state="ready"}}'
    async with asyncio.timeout(20):
        while (samples := await _metrics(api)).get(key, 0) < ready:
            await asyncio.sleep(0.1)
    return samples


async def test_warm_sandboxes_report_hits_misses_size_and_refills(warm_api: Api) -> None:
    first = await warm_api.run("print(1)")
    assert first["status"] == "COMPLETED"
    prefix = 'podrun_warm_pool_hits_total{runtime="'
    (hit,) = [k for k in await _metrics(warm_api) if k.startswith(prefix)]
    runtime = hit.removeprefix(prefix).removesuffix('"}')
    samples = await _until_ready(warm_api, runtime, 2)
    hits = f'podrun_warm_pool_hits_total{{runtime="{runtime}"}}'
    assert samples[hits] >= 1
    assert samples[f'podrun_warm_pool_refill_seconds_count{{runtime="{runtime}"}}'] >= 3
    assert f'podrun_warm_pool_pods{{runtime="{runtime}",state="starting"}}' in samples

    # A run whose tmpfs differs from the warm sandboxes' starts cold: a miss of its shape.
    odd = await warm_api.run("print(2)", limits={"diskMib": 1})
    assert odd["status"] == "COMPLETED"
    after = await _metrics(warm_api)
    shape = f'podrun_warm_pool_misses_total{{reason="shape",runtime="{runtime}"}}'
    assert after[shape] == samples.get(shape, 0) + 1
    assert after[hits] == samples[hits]
