"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from starlette.requests import HTTPConnection
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from service.adapters.telemetry.instrumenting import instrument_app
from service.adapters.telemetry.setup import configure_tracing, tracing_exports
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.schema import build_schema
from service.entrypoints.http.files import add_file_routes
from service.entrypoints.http.metrics_endpoint import metrics_response
from service.entrypoints.http.security import (
    ApiSecurity,
    AuthenticatingRouter,
    add_http_limits,
    client_of,
    principal_from,
)
from service.entrypoints.http.web import mount_web
from service.entrypoints.wiring import Podrun


def create_app(
    start: Callable[[], Awaitable[Podrun]],
    *,
    graphiql: bool = True,
    trace_scripts: bool = False,
    security: ApiSecurity | None = None,
) -> FastAPI:
    """An app that starts Podrun (store, worker) in its lifespan and stops it after."""
    configure_tracing()
    holder: dict[str, Podrun] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        podrun = await start()
        holder["podrun"] = podrun
        try:
            yield
        finally:
            await podrun.stop()

    security = security or ApiSecurity()

    async def get_context(connection: HTTPConnection) -> Context:
        # HTTP: the Authorization header. WebSocket: the header if any, then
        # connectionParams.authorization when the connection opens (AuthenticatingRouter).
        podrun = holder["podrun"]
        client = client_of(connection)
        principal = await principal_from(
            podrun.use_cases.accounts.auth, connection.headers.get("authorization"), client
        )
        return Context(podrun.use_cases, podrun.metrics, principal, client)

    router: AuthenticatingRouter = AuthenticatingRouter(
        build_schema(
            trace_scripts=trace_scripts, traced=tracing_exports(), hardening=security.hardening
        ),
        context_getter=get_context,
        graphql_ide="graphiql" if graphiql else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        max_subscriptions_per_connection=security.max_subscriptions_per_connection,
        socket_recheck_seconds=security.socket_recheck_seconds,
    )
    app = FastAPI(title="Podrun", lifespan=lifespan, docs_url=None, redoc_url=None)
    add_http_limits(app, security)
    app.include_router(router, prefix="/graphql")

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        podrun = holder.get("podrun")
        checks = {
            "api": podrun is not None and podrun.ready.is_set(),
            "store": podrun is not None and await podrun.ping(),
            "worker": podrun is not None
            and (podrun.worker is None or podrun.worker.ready.is_set()),
        }
        ok = all(checks.values())
        return JSONResponse({"ok": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        return await metrics_response(holder.get("podrun"))

    add_file_routes(app, lambda: holder.get("podrun"))
    mount_web(app)  # last: it answers every path the routes above do not
    instrument_app(app)
    return app
