"""Tracer provider set-up from the standard `OTEL_*` variables.

`OTEL_TRACES_EXPORTER` = `none` (default) | `console` | `otlp` (comma-separated for several);
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_SERVICE_NAME`,
`OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` are read by the SDK itself. Even with no
exporter a provider is installed, so executions carry real trace ids for log correlation.
"""

from __future__ import annotations

import logging
import os
import sys

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

log = logging.getLogger(__name__)

_provider: TracerProvider | None = None


def configure_tracing(
    default_service_name: str = "podrun", extra: SpanProcessor | None = None
) -> TracerProvider:
    """Install the global tracer provider once; later calls return the same one."""
    global _provider  # noqa: PLW0603 - one provider per process, as OpenTelemetry expects
    if _provider is not None:
        if extra is not None:
            _provider.add_span_processor(extra)
        return _provider
    attributes = {}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes[SERVICE_NAME] = default_service_name
    exporters = [name for name in _exporters() if name != "none"]
    # With nowhere to send spans, record none: spans still get real ids (so executions carry
    # a trace id for logs and for clients' own traces), at almost no cost.
    sampler = None if exporters or extra is not None else ALWAYS_OFF
    provider = TracerProvider(resource=Resource.create(attributes), sampler=sampler)
    for name in exporters:
        if name == "console":
            # Unbatched, so each span is printed as soon as it ends.
            provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stdout)))
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                OTLPSpanExporter,
            )

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            log.warning("unknown OTEL_TRACES_EXPORTER %r ignored", name)
    if extra is not None:
        provider.add_span_processor(extra)
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


def tracing_exports() -> bool:
    """Whether spans go anywhere (an exporter or an extra processor is configured)."""
    return _provider is not None and _provider.sampler is not ALWAYS_OFF


def shutdown_tracing() -> None:
    if _provider is not None:
        _provider.force_flush()


def _exporters() -> list[str]:
    raw = os.environ.get("OTEL_TRACES_EXPORTER", "none")
    return [part.strip().lower() for part in raw.split(",") if part.strip()]
