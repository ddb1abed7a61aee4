"""The health endpoint of `podrun worker` (PODRUN_WORKER_HEALTH_PORT), for Kubernetes probes.

- `/livez`: the worker's loops still run (none has died; the heartbeat loop comes round).
  It fails for a wedged worker, which only a restart cures; a store outage does not fail it,
  since a restart would not cure that.
- `/readyz` (and `/healthz`, as the API's): started, and the store answers.
- `/metrics`: the worker's Prometheus metrics (executions, sandboxes, the warm pool, whether
  it leads), as the API serves its own.

A blocked event loop answers neither, which the probe's timeout turns into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.entrypoints.http.metrics_endpoint import metrics_response
from service.entrypoints.wiring import Podrun

_PING_SECONDS = 2.0


class WorkerHealth:
    """What the probes ask about: the worker once it has started (None before)."""

    def __init__(self, stale_after_seconds: float) -> None:
        self.podrun: Podrun | None = None
        self._stale_after_seconds = stale_after_seconds

    def alive(self) -> bool:
        podrun = self.podrun
        worker = podrun.worker if podrun is not None else None
        return worker is None or worker.alive(self._stale_after_seconds)

    async def checks(self) -> dict[str, bool]:
        podrun = self.podrun
        return {
            "worker": podrun is not None
            and podrun.ready.is_set()
            and podrun.worker is not None
            and podrun.worker.ready.is_set(),
            "store": podrun is not None and await _answers(podrun),
        }


async def _answers(podrun: Podrun) -> bool:
    # Sooner than the store client's own server-selection timeout: a probe has seconds.
    try:
        return await asyncio.wait_for(podrun.ping(), _PING_SECONDS)
    except TimeoutError:
        return False


def create_worker_health_app(health: WorkerHealth) -> Starlette:
    async def livez(_: Request) -> JSONResponse:
        ok = health.alive()
        return JSONResponse({"ok": ok}, status_code=200 if ok else 503)

    async def readyz(_: Request) -> JSONResponse:
        checks = await health.checks()
        ok = all(checks.values())
        return JSONResponse({"ok": ok, "checks": checks}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        return await metrics_response(health.podrun)

    return Starlette(
        routes=[
            Route("/metrics", metrics),
            Route("/livez", livez),
            Route("/readyz", readyz),
            Route("/healthz", readyz),
        ]
    )


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server run as one task of a process that handles signals itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HealthServer:
    """Serves the worker's health endpoint until stopped."""

    def __init__(self, health: WorkerHealth, host: str, port: int) -> None:
        config = uvicorn.Config(
            create_worker_health_app(health),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self._server = _EmbeddedServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name="worker-health")
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()  # its startup error (e.g. the port is taken)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
