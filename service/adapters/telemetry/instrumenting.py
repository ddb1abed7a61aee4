"""Instrumentation of the libraries Podrun talks through: FastAPI, pymongo, aiohttp, and
strawberry (with secrets filtered out of span attributes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from strawberry.extensions.tracing import OpenTelemetryExtension

_SECRET_ARGUMENTS = frozenset({"password", "token", "accessToken", "refreshToken"})
_SCRIPT_ARGUMENTS = frozenset({"script", "stdin", "data"})
REDACTED = "[redacted]"


def instrument_libraries() -> None:
    """Process-wide client instrumentation (idempotent)."""
    pymongo = PymongoInstrumentor()
    if not pymongo.is_instrumented_by_opentelemetry:
        pymongo.instrument()
    aiohttp = AioHttpClientInstrumentor()
    if not aiohttp.is_instrumented_by_opentelemetry:
        aiohttp.instrument()


def instrument_app(app: FastAPI) -> None:
    # Per-message ASGI spans ("http send", "websocket receive") only add noise.
    FastAPIInstrumentor.instrument_app(
        app, exclude_spans=["receive", "send"], excluded_urls="healthz,metrics"
    )


def redact(value: Any, *, include_scripts: bool) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED
            if key in _SECRET_ARGUMENTS or (not include_scripts and key in _SCRIPT_ARGUMENTS)
            else redact(item, include_scripts=include_scripts)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item, include_scripts=include_scripts) for item in value]
    return value


def graphql_tracing_extension(*, include_scripts: bool) -> Callable[[], OpenTelemetryExtension]:
    def arg_filter(kwargs: dict[str, Any], _info: Any) -> dict[str, Any]:
        result: dict[str, Any] = redact(kwargs, include_scripts=include_scripts)
        return result

    return lambda: OpenTelemetryExtension(arg_filter=arg_filter)
