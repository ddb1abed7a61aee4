"""The worker's view of an execution as OpenTelemetry spans, in the submitter's trace.

Trace tree (one trace per execution):
  POST /graphql (FastAPI server span)
    └ graphql.mutation executeScript (strawberry)   ← Execution.traceParent points here
        ├ podrun.queue_wait        created → claimed
        └ podrun.execution         claimed → terminal; events per status; verdict attributes
            ├ podrun.sandbox.launch
            └ podrun.sandbox.run   started → finished; event "first output"; usage attributes
"""

from __future__ import annotations

from datetime import datetime

from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.trace import Span, Status, StatusCode

from service.adapters.telemetry.metrics import ExecutionMetrics
from service.domain.executions import Execution
from service.domain.sandboxes import ResourceUsage
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import Verdict
from service.services.ports.tracing import RunSpan

_TRACER_NAME = "podrun.worker"


def current_trace_parent() -> str | None:
    """The W3C traceparent of the active span, if one is recording or sampled."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


def _ns(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1_000_000_000)


class OtelRunSpan:
    def __init__(self, execution: Execution, metrics: ExecutionMetrics) -> None:
        tracer = trace.get_tracer(_TRACER_NAME)
        self._execution = execution
        self._metrics = metrics
        parent = (
            extract({"traceparent": execution.trace_parent}) if execution.trace_parent else None
        )
        attributes: dict[str, str | int | float] = {
            "podrun.execution.id": execution.id,
            "podrun.runtime": execution.runtime,
            "podrun.limits.timeout_seconds": execution.limits.timeout_seconds,
            "podrun.limits.memory_mib": execution.limits.memory_mib,
            "podrun.limits.cpu_millicores": execution.limits.cpu_millicores,
        }
        queue = tracer.start_span(
            "podrun.queue_wait",
            context=parent,
            start_time=_ns(execution.created_at),
            attributes={"podrun.execution.id": execution.id},
        )
        queue.end(end_time=_ns(execution.scheduled_at))
        self._root: Span = tracer.start_span(
            "podrun.execution",
            context=parent,
            start_time=_ns(execution.scheduled_at),
            attributes=attributes,
        )
        self._root.add_event("SCHEDULED")
        self._context = trace.set_span_in_context(self._root)
        self._launch: Span | None = tracer.start_span(
            "podrun.sandbox.launch", context=self._context
        )
        self._run: Span | None = None
        self._tracer = tracer
        self._first_output = True
        self._launched = False
        if execution.scheduled_at is not None:
            metrics.queue_wait.labels(execution.runtime).observe(
                (execution.scheduled_at - execution.created_at).total_seconds()
            )

    def sandbox_env(self) -> dict[str, str]:
        carrier: dict[str, str] = {}
        inject(carrier, context=self._context)
        return {"TRACEPARENT": carrier["traceparent"]} if "traceparent" in carrier else {}

    def launched(self) -> None:
        if self._launch is not None:
            self._launch.end()
            self._launch = None
        self._launched = True
        self._metrics.active_sandboxes.inc()
        self._run = self._tracer.start_span("podrun.sandbox.run", context=self._context)

    def started(self) -> None:
        if self._run is not None:
            self._run.add_event("started")

    def output(self, nbytes: int) -> None:
        self._metrics.output_bytes.labels(self._execution.runtime).inc(nbytes)
        if self._first_output and self._run is not None:
            self._first_output = False
            self._run.add_event("first output")

    def files_in(self, count: int, nbytes: int) -> None:
        self._metrics.file_bytes.labels("in").inc(nbytes)
        self._root.add_event("files in", {"podrun.files": count, "podrun.file_bytes": nbytes})

    def files_out(self, count: int, nbytes: int) -> None:
        self._metrics.file_bytes.labels("out").inc(nbytes)
        self._root.add_event("files out", {"podrun.files": count, "podrun.file_bytes": nbytes})

    def transition(self, status: ExecutionStatus) -> None:
        self._root.add_event(status.value)

    def finished(self, verdict: Verdict, usage: ResourceUsage | None) -> None:
        attributes: dict[str, str | int | float] = {"podrun.status": verdict.status.value}
        if verdict.exit_code is not None:
            attributes["podrun.exit_code"] = verdict.exit_code
        if usage is not None:
            attributes["podrun.usage.cpu_time_ms"] = usage.cpu_time_ms
            attributes["podrun.usage.peak_memory_kib"] = usage.peak_memory_kib
            attributes["podrun.usage.wall_time_ms"] = usage.wall_time_ms
            self._metrics.run_duration.labels(self._execution.runtime).observe(
                usage.wall_time_ms / 1000
            )
        for span in (self._run, self._root):
            if span is not None:
                span.set_attributes(attributes)
        if self._run is not None:
            self._run.end()
            self._run = None

    def end(self, status: ExecutionStatus) -> None:
        for span in (self._launch, self._run):
            if span is not None:
                span.end()
        if self._launched:
            self._metrics.active_sandboxes.dec()
        self._metrics.finished.labels(status.value, self._execution.runtime).inc()
        self._root.set_attribute("podrun.status", status.value)
        if status is ExecutionStatus.ERROR:
            self._root.set_status(Status(StatusCode.ERROR, "infrastructure error"))
        self._root.end()


class OtelExecutionTracer:
    """ExecutionTracer: spans in the submitter's trace plus Prometheus metrics."""

    def __init__(self, metrics: ExecutionMetrics) -> None:
        self._metrics = metrics

    def start_run(self, execution: Execution) -> RunSpan:
        return OtelRunSpan(execution, self._metrics)
