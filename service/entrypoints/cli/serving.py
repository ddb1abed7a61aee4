"""`podrun serve` and `podrun worker`: long-running processes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

import uvicorn
from pydantic import ValidationError

from service.entrypoints.graphql.hardening import Hardening
from service.entrypoints.http.app import create_app
from service.entrypoints.http.draining import DrainingServer
from service.entrypoints.http.security import ApiSecurity
from service.entrypoints.http.worker_health import HealthServer, WorkerHealth
from service.entrypoints.logs import configure_logging
from service.entrypoints.wiring import Podrun, start_podrun
from service.services.ports.sandbox import BackendUnavailable
from service.settings import Settings

log = logging.getLogger("podrun")


def _settings(overrides: dict[str, Any]) -> Settings | None:
    try:
        return Settings(**overrides)
    except ValidationError as error:
        print(f"podrun: invalid configuration:\n{error}", file=sys.stderr)
        return None


def serve(overrides: dict[str, Any], *, worker: bool) -> int:
    settings = _settings(overrides)
    if settings is None:
        return 2
    configure_logging(settings.log_format, settings.log_level)

    started: list[Podrun] = []

    async def start() -> Podrun:
        try:
            podrun = await start_podrun(settings, api=True, worker=worker)
        except BackendUnavailable as error:
            log.error("the sandbox backend cannot run here: %s", error)
            raise SystemExit(3) from error
        started.append(podrun)
        return podrun

    async def drain() -> None:
        for podrun in started:
            await podrun.drain()

    app = create_app(
        start,
        graphiql=settings.graphiql,
        trace_scripts=settings.trace_scripts,
        security=api_security(settings),
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        ws="websockets-sansio",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # After the drain: how long requests still being answered may take.
        timeout_graceful_shutdown=15,
        lifespan="on",
    )
    server = DrainingServer(config, drain)
    log.info("serving on http://%s:%d/graphql", settings.host, settings.port)
    server.run()
    return 0 if server.started else 3


def work(overrides: dict[str, Any]) -> int:
    settings = _settings(overrides)
    if settings is None:
        return 2
    configure_logging(settings.log_format, settings.log_level)
    return asyncio.run(_work(settings))


async def _work(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    health = WorkerHealth(
        # Above the heartbeat period plus a store call's own timeout: a slow store is not a
        # wedged worker.
        stale_after_seconds=max(30.0, 10 * settings.worker_heartbeat_seconds)
    )
    server: HealthServer | None = None
    if settings.worker_health_port is not None:
        # Up before the worker starts: liveness holds while it connects, readiness waits.
        server = HealthServer(health, settings.host, settings.worker_health_port)
        await server.start()
        log.info("worker health on http://%s:%d/livez", settings.host, settings.worker_health_port)
    try:
        try:
            podrun = await start_podrun(settings, api=False, worker=True)
        except BackendUnavailable as error:
            log.error("the sandbox backend cannot run here: %s", error)
            return 3
        health.podrun = podrun
        log.info("worker %s running", podrun.worker.worker_id if podrun.worker else "?")
        await stop.wait()
        await podrun.stop()
        return 0
    finally:
        if server is not None:
            await server.stop()


def api_security(settings: Settings) -> ApiSecurity:
    return ApiSecurity(
        hardening=Hardening(
            max_query_bytes=settings.graphql_max_query_bytes,
            introspection=settings.graphql_introspection,
            mask_errors=settings.graphql_mask_errors,
        ),
        max_body_bytes=settings.http_max_body_bytes,
        max_subscriptions_per_connection=settings.graphql_max_subscriptions_per_connection,
        socket_recheck_seconds=settings.auth_socket_recheck_seconds,
        cors_origins=tuple(settings.cors_origins),
    )
